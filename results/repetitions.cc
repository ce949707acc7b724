#include "results/repetitions.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "results/metric_values.h"

namespace scalebench::results {

absl::StatusOr<std::vector<ConfigurationSummary>> SummarizeByConfiguration(
    const std::vector<v1::TrialResult>& trials, absl::string_view metric) {
  absl::StatusOr<std::vector<double>> values = MetricValues(trials, metric);
  if (!values.ok()) return values.status();
  struct Group {
    v1::Configuration configuration;
    std::vector<double> values;
  };
  std::map<uint32_t, Group> groups;
  for (size_t i = 0; i < trials.size(); ++i) {
    const uint32_t index = trials[i].configuration().index();
    auto [it, inserted] = groups.try_emplace(index);
    if (inserted) it->second.configuration = trials[i].configuration();
    it->second.values.push_back((*values)[i]);
  }
  std::vector<ConfigurationSummary> summaries;
  for (auto& [index, group] : groups) {
    absl::StatusOr<analysis::RepetitionSummary> summary =
        analysis::SummarizeRepetitions(group.values);
    if (!summary.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("configuration ", index, ": ", metric, ": ",
                       summary.status().message()));
    }
    ConfigurationSummary s;
    s.configuration = std::move(group.configuration);
    s.n = summary->n;
    s.summary = *std::move(summary);
    summaries.push_back(std::move(s));
  }
  return summaries;
}

absl::StatusOr<AdaptiveDecision> DecideAdaptive(
    const v1::RepetitionPolicy::Adaptive& policy,
    const analysis::RepetitionSummary& summary) {
  const double w = policy.ci_halfwidth();
  if (!(w > 0 && w < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ci_halfwidth: ", w, " is not in (0, 1)"));
  }
  const int min = policy.has_min() ? static_cast<int>(policy.min())
                                   : analysis::kMinRunsForMedianInterval;
  const int max = static_cast<int>(policy.max());
  if (max < 1 || max < min) {
    return absl::InvalidArgumentError(
        absl::StrCat("max: ", max, " is not at least min (", min, ")"));
  }
  const int n = summary.n;
  if (n >= max) {
    return AdaptiveDecision{
        true, 0, absl::StrCat(n, " runs reach the maximum of ", max)};
  }
  const double allowed = w * std::fabs(summary.median);
  if (n >= min && summary.median_ci.has_value()) {
    const analysis::Interval& ci = summary.median_ci->interval;
    const double half = (ci.high - ci.low) / 2;
    if (half <= allowed) {
      return AdaptiveDecision{
          true, 0,
          absl::StrCat("the median's 95% interval is +-", half, ", within ",
                       allowed, " (", w * 100, "% of ", summary.median, ")")};
    }
  }
  int target = min;
  if (absl::StatusOr<int> runs = analysis::RunsForHalfWidth(summary, w);
      runs.ok()) {
    target = std::max(target, *runs);
  }
  target = std::min(target, max);
  const int more = std::max(target - n, 1);
  std::string why =
      n < min ? absl::StrCat(n, " runs, fewer than the minimum of ", min)
      : !summary.median_ci.has_value()
          ? absl::StrCat(n, " runs give no interval for the median yet")
          : absl::StrCat("the median's 95% interval is +-",
                         (summary.median_ci->interval.high -
                          summary.median_ci->interval.low) /
                             2,
                         ", wider than ", allowed);
  return AdaptiveDecision{false, more,
                          absl::StrCat(why, "; ", more, " more suggested")};
}

}  // namespace scalebench::results
