#include "cli/history_command.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "api/result_columns.h"
#include "cli/change_point_flags.h"
#include "cli/output.h"
#include "cli/results_command.h"
#include "cli/row_filter.h"
#include "common/exit_codes.h"
#include "common/grpc_status.h"
#include "common/json_writer.h"
#include "common/proto_time.h"
#include "spec/grid.h"

namespace scalebench::cli {
namespace {

constexpr char kHistoryManual[] =
    R"(Reads every successful run of the schedule NAME from the coordinator
and prints, per configuration, the metric's median night by night, marking
the nights where a shift began. Shifts are found by E-divisive means with a
permutation test (docs/analysis.md, "Change points"): one line per shift
with its size (the medians before and after) and its p-value. A shift in
the last --min-segment - 1 nights cannot be seen yet.

--configuration COLUMN=VALUE[,VALUE...] keeps the configurations whose
factor COLUMN (platform, instances, balancer, ...) is one of the values;
give it again to narrow further.

With --output json: {"schedule", "metric", "configurations": [{
"configuration", "factors": {COLUMN: VALUE}, "points": [{"night",
"experiment", "median", "n"}], "change_points": [{"index", "night",
"experiment", "before", "after", "change", "p_value"}]}]}; index is the
first point after the shift.

Exit status: 0 done; 2 a bad NAME or flag, or an unknown schedule; 1 the
coordinator cannot be reached.

)";

// The schedule's successful experiments, newest first.
absl::StatusOr<std::vector<v1::Experiment>> SuccessfulRuns(
    CoordinatorClient& client, const std::string& schedule) {
  std::vector<v1::Experiment> experiments;
  v1::ListExperimentsRequest request;
  request.set_schedule(schedule);
  request.add_states(v1::EXPERIMENT_STATE_SUCCEEDED);
  request.set_page_size(500);
  do {
    v1::ListExperimentsResponse response;
    absl::Status status = client.Call(
        &v1::CoordinatorService::Stub::ListExperiments, request, &response);
    if (!status.ok()) return status;
    for (v1::Experiment& e : *response.mutable_experiments()) {
      experiments.push_back(std::move(e));
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return experiments;
}

// True when every filter holds for the configuration's factors.
bool Selected(const std::vector<v1::RowFilter>& filters,
              const std::vector<std::string>& factors) {
  const auto columns = api::FactorColumns();
  for (const v1::RowFilter& filter : filters) {
    for (const auto& [column, values] : filter.factors()) {
      const auto it = absl::c_find(columns, column);
      const std::string& cell = factors[it - columns.begin()];
      if (!absl::c_linear_search(values.values(), cell)) return false;
    }
  }
  return true;
}

std::string Percent(const std::optional<double>& change) {
  return change.has_value() ? absl::StrFormat("%+.1f%%", 100 * *change) : "-";
}

}  // namespace

void AddHistoryFlags(CLI::App& history, HistoryFlags* flags) {
  history.add_option("NAME", flags->schedule, "the schedule")->required();
  history
      .add_option("--configuration", flags->configurations,
                  "only configurations with COLUMN=VALUE[,VALUE...]; "
                  "repeatable")
      ->type_name("FILTER");
  history
      .add_option("--metric", flags->metric,
                  "the metric followed (default requests_per_s)")
      ->type_name("COLUMN");
  AddChangePointFlags(history, "nights", &flags->change_points);
  AddOutputOption(history, &flags->output,
                  {OutputFormat::kText, OutputFormat::kJson});
  AddClientFlags(history, &flags->client);
  history.footer(absl::StrCat(
      kHistoryManual, kClientManual,
      "\nExamples:\n  scalebench history nightly-nginx\n"
      "  scalebench history nightly-nginx --configuration balancer=haproxy "
      "--configuration instances=4\n"
      "  scalebench history nightly-nginx --metric latency_p99_us --output "
      "json\n"));
}

void PrintHistoryText(const std::string& schedule, const std::string& metric,
                      const std::vector<results::ConfigurationHistory>& history,
                      std::ostream& out) {
  out << schedule << ": " << metric << " night by night\n";
  if (history.empty()) {
    out << "no successful runs yet\n";
    return;
  }
  for (const results::ConfigurationHistory& h : history) {
    out << "\n"
        << spec::DescribeConfiguration(h.configuration) << ": "
        << h.points.size() << " nights, ";
    if (h.change_points.empty()) {
      out << "no shift\n";
    } else {
      out << h.change_points.size()
          << (h.change_points.size() == 1 ? " shift\n" : " shifts\n");
    }
    for (const analysis::ChangePoint& c : h.change_points) {
      const results::NightPoint& p = h.points[c.index];
      out << absl::StrFormat(
          "  shift from %s (%s): %.6g -> %.6g (%s), p = %.3g\n",
          absl::FormatTime("%Y-%m-%d %H:%M UTC", p.night, absl::UTCTimeZone()),
          p.experiment, c.before, c.after, Percent(c.change), c.p_value);
    }
    TextTable table({"NIGHT", "EXPERIMENT", "MEDIAN", "N", ""});
    for (size_t i = 0; i < h.points.size(); ++i) {
      const results::NightPoint& p = h.points[i];
      const auto shift =
          absl::c_find_if(h.change_points, [i](const analysis::ChangePoint& c) {
            return c.index == static_cast<int>(i);
          });
      table.AddRow({FormatTimestamp(TimeToProto(p.night)), p.experiment,
                    absl::StrFormat("%.6g", p.median), absl::StrCat(p.n),
                    shift == h.change_points.end()
                        ? ""
                        : absl::StrCat("<- shift ", Percent(shift->change))});
    }
    table.Print(out);
  }
}

std::string HistoryJson(
    const std::string& schedule, const std::string& metric,
    const std::vector<results::ConfigurationHistory>& history) {
  const auto rfc3339 = [](absl::Time t) {
    return FormatTimestamp(TimeToProto(t));
  };
  JsonWriter json;
  json.BeginObject();
  json.Key("schedule").String(schedule);
  json.Key("metric").String(metric);
  json.Key("configurations").BeginArray();
  const auto columns = api::FactorColumns();
  for (const results::ConfigurationHistory& h : history) {
    json.BeginObject();
    json.Key("configuration")
        .String(spec::DescribeConfiguration(h.configuration));
    json.Key("factors").BeginObject();
    for (size_t i = 0; i < columns.size() && i < h.factors.size(); ++i) {
      json.Key(columns[i]).String(h.factors[i]);
    }
    json.EndObject();
    json.Key("points").BeginArray();
    for (const results::NightPoint& p : h.points) {
      json.BeginObject();
      json.Key("night").String(rfc3339(p.night));
      json.Key("experiment").String(p.experiment);
      json.Key("median").Double(p.median);
      json.Key("n").Int(p.n);
      json.EndObject();
    }
    json.EndArray();
    json.Key("change_points").BeginArray();
    for (const analysis::ChangePoint& c : h.change_points) {
      const results::NightPoint& p = h.points[c.index];
      json.BeginObject();
      json.Key("index").Int(c.index);
      json.Key("night").String(rfc3339(p.night));
      json.Key("experiment").String(p.experiment);
      json.Key("before").Double(c.before);
      json.Key("after").Double(c.after);
      if (c.change.has_value()) {
        json.Key("change").Double(*c.change);
      } else {
        json.Key("change").Null();
      }
      json.Key("p_value").Double(c.p_value);
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.str() + "\n";
}

int RunHistory(const HistoryFlags& flags, std::ostream& out,
               std::ostream& err) {
  constexpr char kPrefix[] = "scalebench history: ";
  absl::StatusOr<std::string> parsed = ScheduleNameArgument(flags.schedule);
  if (!parsed.ok()) {
    err << kPrefix << parsed.status().message() << "\n";
    return kExitBadInput;
  }
  const std::string& name = *parsed;
  std::vector<v1::RowFilter> filters;
  for (const std::string& expression : flags.configurations) {
    absl::StatusOr<v1::RowFilter> filter =
        ParseRowFilter(expression, "--configuration");
    if (!filter.ok()) {
      err << kPrefix << filter.status().message() << "\n";
      return kExitBadInput;
    }
    for (const auto& [column, values] : filter->factors()) {
      if (!api::IsColumn(api::FactorColumns(), column)) {
        err << kPrefix << "--configuration: '" << column
            << "' is not a factor column; use one of "
            << absl::StrJoin(api::FactorColumns(), ", ") << "\n";
        return kExitBadInput;
      }
    }
    filters.push_back(*std::move(filter));
  }
  if (absl::Status s = ValidateChangePointFlags(flags.change_points); !s.ok()) {
    err << kPrefix << s.message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
      ConnectForCommand("history", flags.client, err);
  if (!client.ok()) return kExitBadInput;

  // An unknown schedule is an error, not an empty history.
  {
    v1::GetScheduleRequest request;
    request.set_name(name);
    v1::GetScheduleResponse response;
    if (int exit = (*client)->CallOrFail(
            &v1::CoordinatorService::Stub::GetSchedule, request, &response);
        exit != kExitOk) {
      return exit;
    }
  }
  absl::StatusOr<std::vector<v1::Experiment>> experiments =
      SuccessfulRuns(**client, name);
  if (!experiments.ok()) {
    return (*client)->Fail(experiments.status());
  }
  std::vector<results::NightlyRun> runs;
  for (const v1::Experiment& e : *experiments) {
    absl::StatusOr<ExportedResults> exported =
        ExportResults(**client, e.name());
    if (!exported.ok()) {
      return (*client)->Fail(exported.status());
    }
    runs.push_back(
        {e.name(), TimeFromProto(e.night()), std::move(exported->trials)});
  }
  absl::StatusOr<std::vector<results::ConfigurationHistory>> history =
      results::BuildNightlyHistory(std::move(runs), flags.metric,
                                   flags.change_points);
  if (!history.ok()) {
    err << kPrefix << history.status().message() << "\n";
    return ExitCodeFor(history.status());
  }
  std::vector<results::ConfigurationHistory> selected;
  for (results::ConfigurationHistory& h : *history) {
    if (Selected(filters, h.factors)) selected.push_back(std::move(h));
  }
  if (flags.output == OutputFormat::kJson) {
    out << HistoryJson(name, flags.metric, selected);
  } else {
    PrintHistoryText(name, flags.metric, selected, out);
  }
  return kExitOk;
}

}  // namespace scalebench::cli
