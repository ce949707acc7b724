#include "results/compare_runs.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/resource_names.h"
#include "api/result_columns.h"
#include "results/metric_values.h"

namespace scalebench::results {
namespace {

// One experiment's runs of one configuration.
struct Group {
  v1::Configuration configuration;
  std::vector<std::string> factors;
  std::vector<double> values;
};

// The experiment's trials grouped by factor cells (joined), each with the
// metric in `column`. `side` names the experiment in errors.
absl::StatusOr<std::map<std::string, Group>> GroupByFactors(
    const std::vector<v1::TrialResult>& trials, const std::string& metric,
    const char* side) {
  absl::StatusOr<std::vector<double>> values = MetricValues(trials, metric);
  if (!values.ok()) {
    return absl::Status(values.status().code(),
                        absl::StrCat(side, " ", values.status().message()));
  }
  std::map<std::string, Group> groups;
  for (size_t i = 0; i < trials.size(); ++i) {
    const double value = (*values)[i];
    if (!(value > 0)) {
      absl::StatusOr<api::TrialRef> trial =
          api::ParseTrialName(trials[i].key().trial());
      return absl::InvalidArgumentError(absl::StrCat(
          side, " trials[", i, "] (",
          trial.ok() ? api::TrialShortName(trial->experiment_id, trial->trial)
                     : trials[i].key().trial(),
          "): ", metric, " is '", value,
          "', not a positive number: the change is a ratio, so compare "
          "needs a metric that is positive in every trial"));
    }
    std::vector<std::string> factors =
        api::FactorCells(trials[i].configuration());
    auto [it, inserted] = groups.try_emplace(absl::StrJoin(factors, "\x1f"));
    Group& group = it->second;
    if (inserted ||
        trials[i].configuration().index() < group.configuration.index()) {
      group.configuration = trials[i].configuration();
      group.factors = std::move(factors);
    }
    group.values.push_back(value);
  }
  return groups;
}

bool ByIndex(const Group* a, const Group* b) {
  return a->configuration.index() < b->configuration.index();
}

std::vector<UnmatchedConfiguration> Unmatched(
    const std::map<std::string, Group>& groups,
    const std::map<std::string, Group>& other) {
  std::vector<const Group*> only;
  for (const auto& [key, group] : groups) {
    if (other.find(key) == other.end()) only.push_back(&group);
  }
  std::sort(only.begin(), only.end(), ByIndex);
  std::vector<UnmatchedConfiguration> result;
  for (const Group* group : only) {
    result.push_back({group->configuration, group->factors,
                      static_cast<int>(group->values.size())});
  }
  return result;
}

}  // namespace

absl::StatusOr<RunsComparison> CompareTrialResults(
    const std::vector<v1::TrialResult>& baseline,
    const std::vector<v1::TrialResult>& contender,
    const CompareOptions& options) {
  if (!api::IsColumn(api::MetricColumns(), options.metric)) {
    return absl::InvalidArgumentError(
        absl::StrCat("metric: '", options.metric, "' is not one of ",
                     absl::StrJoin(api::MetricColumns(), ", ")));
  }
  absl::StatusOr<std::map<std::string, Group>> base =
      GroupByFactors(baseline, options.metric, "baseline");
  if (!base.ok()) return base.status();
  absl::StatusOr<std::map<std::string, Group>> cont =
      GroupByFactors(contender, options.metric, "contender");
  if (!cont.ok()) return cont.status();

  RunsComparison report;
  report.metric = options.metric;
  report.higher_is_better = api::HigherIsBetter(options.metric);
  report.threshold = options.threshold;
  report.alpha = options.alpha;
  report.only_baseline = Unmatched(*base, *cont);
  report.only_contender = Unmatched(*cont, *base);

  std::vector<std::pair<const Group*, const Group*>> matched;
  for (const auto& [key, group] : *base) {
    auto it = cont->find(key);
    if (it != cont->end()) matched.emplace_back(&group, &it->second);
  }
  std::sort(matched.begin(), matched.end(), [](const auto& a, const auto& b) {
    return ByIndex(a.first, b.first);
  });
  std::vector<analysis::ConfigurationSamples> samples;
  for (const auto& [b, c] : matched) samples.push_back({b->values, c->values});

  analysis::RunComparisonOptions analysis_options;
  analysis_options.threshold = options.threshold;
  analysis_options.alpha = options.alpha;
  analysis_options.higher_is_better = report.higher_is_better;
  absl::StatusOr<analysis::RunComparison> compared =
      analysis::CompareRuns(samples, analysis_options);
  if (!compared.ok()) return compared.status();
  if (!matched.empty()) {
    report.runs_for_significance = compared->runs_for_significance;
  }
  for (size_t i = 0; i < matched.size(); ++i) {
    ComparedConfiguration c;
    c.configuration = matched[i].first->configuration;
    c.factors = matched[i].first->factors;
    c.comparison = std::move(compared->configurations[i]);
    switch (c.comparison.verdict) {
      case analysis::Verdict::kRegression:
        ++report.regressions;
        break;
      case analysis::Verdict::kImprovement:
        ++report.improvements;
        break;
      case analysis::Verdict::kNoChange:
        ++report.unchanged;
        break;
    }
    report.configurations.push_back(std::move(c));
  }
  return report;
}

}  // namespace scalebench::results
