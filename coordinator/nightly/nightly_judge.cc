#include "coordinator/nightly/nightly_judge.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/run_comparison.h"
#include "api/enum_names.h"
#include "api/resource_names.h"
#include "common/json_writer.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/nightly/nightly_schedule_rules.h"
#include "results/compare_runs.h"
#include "results/nightly_history.h"
#include "spec/grid.h"

namespace scalebench::coordinator {
namespace {

// Event kinds, in the payload's "event" field and in event keys.
constexpr char kEventRegression[] = "regression";
constexpr char kEventChangePoint[] = "change_point";
constexpr char kEventFailedRun[] = "failed_run";

std::string Night(absl::Time night) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", night, absl::UTCTimeZone());
}

// As the API's JSON spells a Timestamp: "2026-11-30T02:00:00Z".
std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

std::string Percent(double fraction) {
  return absl::StrFormat("%+.1f%%", 100 * fraction);
}

// " [-15.1%, -9.8%]", or "" without an interval.
std::string IntervalText(const analysis::RelativeChange& change) {
  if (!change.ci.has_value()) return "";
  return absl::StrFormat(" [%s, %s]", Percent(change.ci->low),
                         Percent(change.ci->high));
}

// The experiment id in an "experiments/..." name (the store's names are
// well formed).
std::string IdOf(const std::string& name) {
  return api::ParseExperimentName(name).value_or("");
}

// The fields every payload starts with.
void BeginPayload(JsonWriter& json, absl::string_view event,
                  absl::string_view key, absl::string_view text,
                  const v1::Schedule& schedule,
                  const v1::Experiment& experiment) {
  json.BeginObject();
  json.Key("text").String(text);
  json.Key("event").String(event);
  json.Key("event_id").String(key);
  json.Key("schedule").String(schedule.name());
  json.Key("experiment").String(experiment.name());
  json.Key("night").String(Rfc3339(TimeFromProto(experiment.night())));
}

// The schedule's successful runs of nights up to `until`, with their
// results, oldest first.
absl::StatusOr<std::vector<results::NightlyRun>> SuccessfulRuns(
    Stores& store, const std::string& schedule_id, absl::Time until) {
  std::vector<results::NightlyRun> runs;
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        ExperimentPage page,
        store.experiments().ListExperiments(
            kMaxPageSize, token, v1::EXPERIMENT_VIEW_BASIC, schedule_id));
    for (const v1::Experiment& e : page.experiments) {
      const absl::Time night = TimeFromProto(e.night());
      if (e.state() != v1::EXPERIMENT_STATE_SUCCEEDED || night > until) {
        continue;
      }
      ASSIGN_OR_RETURN(std::vector<v1::TrialResult> trials,
                       store.results().ListTrialResults(IdOf(e.name())));
      runs.push_back({e.name(), night, std::move(trials)});
    }
    token = page.next_page_token;
  } while (!token.empty());
  std::reverse(runs.begin(), runs.end());
  return runs;
}

Judgement Failed(const v1::Schedule& schedule,
                 const v1::Experiment& experiment) {
  Judgement judgement;
  judgement.verdict = kVerdictFailed;
  judgement.detail =
      absl::StrCat(api::EnumName(experiment.state()),
                   experiment.status_message().empty() ? "" : ": ",
                   experiment.status_message());
  if (schedule.webhook_url().empty()) return judgement;
  const std::string key = absl::StrCat(kEventFailedRun, "/", schedule.name(),
                                       "/", experiment.name());
  const std::string text =
      absl::StrCat("scalebench: ", schedule.name(), ": the run of ",
                   Night(TimeFromProto(experiment.night())), " (",
                   experiment.name(), ") ended ", judgement.detail);
  JsonWriter json;
  BeginPayload(json, kEventFailedRun, key, text, schedule, experiment);
  json.Key("state").String(api::EnumName(experiment.state()));
  json.Key("status_message").String(experiment.status_message());
  json.EndObject();
  judgement.notifications.push_back({key, schedule.webhook_url(), json.str()});
  return judgement;
}

// The verdict of the comparison with the baseline, and its notification.
absl::Status Compare(const v1::Schedule& schedule,
                     const v1::Experiment& experiment,
                     const std::string& baseline,
                     const std::vector<v1::TrialResult>& baseline_trials,
                     const std::vector<v1::TrialResult>& trials,
                     Judgement& judgement) {
  results::CompareOptions options;
  options.metric = kNightlyMetric;
  options.threshold = EffectiveThreshold(schedule);
  ASSIGN_OR_RETURN(
      results::RunsComparison report,
      results::CompareTrialResults(baseline_trials, trials, options));
  const results::ComparedConfiguration* worst = nullptr;
  for (const results::ComparedConfiguration& c : report.configurations) {
    if (c.comparison.verdict != analysis::Verdict::kRegression) continue;
    if (worst == nullptr || std::abs(c.comparison.change.estimate) >
                                std::abs(worst->comparison.change.estimate)) {
      worst = &c;
    }
  }
  const int compared = static_cast<int>(report.configurations.size());
  if (report.regressions > 0) {
    judgement.verdict =
        std::string(analysis::VerdictName(analysis::Verdict::kRegression));
    judgement.detail = absl::StrFormat(
        "%d of %d configurations regressed against %s; worst %s%s (%s)",
        report.regressions, compared, baseline,
        Percent(worst->comparison.change.estimate),
        IntervalText(worst->comparison.change),
        spec::DescribeConfiguration(worst->configuration));
  } else if (report.improvements > 0) {
    judgement.verdict =
        std::string(analysis::VerdictName(analysis::Verdict::kImprovement));
    judgement.detail =
        absl::StrFormat("%d of %d configurations improved against %s",
                        report.improvements, compared, baseline);
  } else {
    judgement.verdict =
        std::string(analysis::VerdictName(analysis::Verdict::kNoChange));
    judgement.detail = absl::StrFormat(
        "no change in %d configurations against %s%s", compared, baseline,
        compared > 0 && !report.configurations[0].comparison.can_be_significant
            ? absl::StrFormat(" (too few repetitions to be significant; "
                              "%d per configuration can be)",
                              report.runs_for_significance)
            : "");
  }
  if (report.regressions == 0 || schedule.webhook_url().empty()) {
    return absl::OkStatus();
  }
  const std::string key = absl::StrCat(kEventRegression, "/", schedule.name(),
                                       "/", experiment.name());
  const std::string text = absl::StrCat(
      "scalebench: ", schedule.name(), " regressed on the night of ",
      Night(TimeFromProto(experiment.night())), " (", experiment.name(),
      "): ", judgement.detail);
  JsonWriter json;
  BeginPayload(json, kEventRegression, key, text, schedule, experiment);
  json.Key("baseline").String(baseline);
  json.Key("metric").String(report.metric);
  json.Key("threshold").Double(report.threshold);
  json.Key("regressions").BeginArray();
  for (const results::ComparedConfiguration& c : report.configurations) {
    if (c.comparison.verdict != analysis::Verdict::kRegression) continue;
    json.BeginObject();
    json.Key("configuration")
        .String(spec::DescribeConfiguration(c.configuration));
    json.Key("baseline_median").Double(c.comparison.baseline.median);
    json.Key("contender_median").Double(c.comparison.contender.median);
    json.Key("change").Double(c.comparison.change.estimate);
    if (c.comparison.change.ci.has_value()) {
      json.Key("change_low").Double(c.comparison.change.ci->low);
      json.Key("change_high").Double(c.comparison.change.ci->high);
    }
    json.Key("p_holm").Double(c.comparison.holm_p);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  judgement.notifications.push_back({key, schedule.webhook_url(), json.str()});
  return absl::OkStatus();
}

// A notification for every change point in the history larger than the
// threshold; the event keys make the ones already sent fall away.
absl::Status ChangePoints(const v1::Schedule& schedule,
                          const v1::Experiment& experiment,
                          std::vector<results::NightlyRun> runs,
                          Judgement& judgement) {
  if (schedule.webhook_url().empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(
      std::vector<results::ConfigurationHistory> histories,
      results::BuildNightlyHistory(std::move(runs), kNightlyMetric));
  const double threshold = EffectiveThreshold(schedule);
  for (const results::ConfigurationHistory& history : histories) {
    const std::string configuration =
        spec::DescribeConfiguration(history.configuration);
    for (const analysis::ChangePoint& point : history.change_points) {
      if (!point.change.has_value() || std::abs(*point.change) <= threshold) {
        continue;
      }
      const results::NightPoint& first = history.points[point.index];
      const std::string key = absl::StrCat(
          kEventChangePoint, "/", schedule.name(), "/",
          absl::StrJoin(history.factors, ","), "/", Rfc3339(first.night));
      const std::string text = absl::StrFormat(
          "scalebench: %s: %s shifted %s (%.0f -> %.0f %s, p = %.3g) from "
          "the night of %s (%s)",
          schedule.name(), configuration, Percent(*point.change), point.before,
          point.after, kNightlyMetric, point.p_value, Night(first.night),
          first.experiment);
      JsonWriter json;
      BeginPayload(json, kEventChangePoint, key, text, schedule, experiment);
      json.Key("configuration").String(configuration);
      json.Key("metric").String(kNightlyMetric);
      json.Key("shift_night").String(Rfc3339(first.night));
      json.Key("shift_experiment").String(first.experiment);
      json.Key("before").Double(point.before);
      json.Key("after").Double(point.after);
      json.Key("change").Double(*point.change);
      json.Key("p_value").Double(point.p_value);
      json.EndObject();
      judgement.notifications.push_back(
          {key, schedule.webhook_url(), json.str()});
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Judgement> JudgeRun(Stores& store, const UnjudgedRun& run) {
  ASSIGN_OR_RETURN(StoredSchedule stored,
                   store.schedules().GetSchedule(run.schedule_id));
  const v1::Schedule& schedule = stored.schedule;
  const std::string id = IdOf(run.run.experiment());
  ASSIGN_OR_RETURN(
      v1::Experiment experiment,
      store.experiments().GetExperiment(id, v1::EXPERIMENT_VIEW_BASIC));
  if (experiment.state() != v1::EXPERIMENT_STATE_SUCCEEDED) {
    return Failed(schedule, experiment);
  }
  const absl::Time night = TimeFromProto(experiment.night());
  ASSIGN_OR_RETURN(std::vector<results::NightlyRun> history,
                   SuccessfulRuns(store, run.schedule_id, night));

  // The baseline: pinned, or the latest successful run of an earlier night.
  std::string baseline = schedule.baseline();
  std::vector<v1::TrialResult> baseline_trials;
  if (!baseline.empty()) {
    ASSIGN_OR_RETURN(baseline_trials,
                     store.results().ListTrialResults(IdOf(baseline)));
  } else {
    for (auto it = history.rbegin(); it != history.rend(); ++it) {
      if (it->night < night && it->experiment != experiment.name()) {
        baseline = it->experiment;
        baseline_trials = it->trials;
        break;
      }
    }
  }

  Judgement judgement;
  if (baseline.empty()) {
    judgement.verdict = kVerdictNoBaseline;
    judgement.detail =
        "the schedule's first successful run: the next is compared with it";
  } else {
    ASSIGN_OR_RETURN(std::vector<v1::TrialResult> trials,
                     store.results().ListTrialResults(id));
    RETURN_IF_ERROR(Compare(schedule, experiment, baseline, baseline_trials,
                            trials, judgement));
  }
  RETURN_IF_ERROR(
      ChangePoints(schedule, experiment, std::move(history), judgement));
  return judgement;
}

}  // namespace scalebench::coordinator
