#include "results/nightly_history.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analysis/repetition_stats.h"
#include "api/result_columns.h"
#include "results/metric_values.h"

namespace scalebench::results {

absl::StatusOr<std::vector<ConfigurationHistory>> BuildNightlyHistory(
    std::vector<NightlyRun> runs, absl::string_view metric,
    const analysis::ChangePointOptions& options) {
  if (absl::Status s = analysis::ValidateChangePointOptions(options); !s.ok()) {
    return s;
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](const NightlyRun& a, const NightlyRun& b) {
                     return a.night < b.night;
                   });
  std::map<std::string, ConfigurationHistory> histories;
  for (const NightlyRun& run : runs) {
    absl::StatusOr<std::vector<double>> values =
        MetricValues(run.trials, metric);
    if (!values.ok()) {
      return absl::Status(
          values.status().code(),
          absl::StrCat(run.experiment, ": ", values.status().message()));
    }
    // This night's values per configuration.
    std::map<std::string, std::vector<double>> tonight;
    for (size_t i = 0; i < run.trials.size(); ++i) {
      const v1::Configuration& configuration = run.trials[i].configuration();
      std::vector<std::string> factors = api::FactorCells(configuration);
      const std::string key = absl::StrJoin(factors, "\x1f");
      auto [it, inserted] = histories.try_emplace(key);
      if (inserted) {
        it->second.configuration = configuration;
        it->second.factors = std::move(factors);
      }
      tonight[key].push_back((*values)[i]);
    }
    for (auto& [key, night_values] : tonight) {
      absl::StatusOr<analysis::RepetitionSummary> summary =
          analysis::SummarizeRepetitions(night_values);
      if (!summary.ok()) return summary.status();
      histories[key].points.push_back(
          {run.night, run.experiment, summary->median, summary->n});
    }
  }
  std::vector<ConfigurationHistory> result;
  for (auto& [key, history] : histories) {
    std::vector<double> series;
    series.reserve(history.points.size());
    for (const NightPoint& point : history.points) {
      series.push_back(point.median);
    }
    absl::StatusOr<std::vector<analysis::ChangePoint>> change_points =
        analysis::DetectChangePoints(series, options);
    if (!change_points.ok()) return change_points.status();
    history.change_points = *std::move(change_points);
    result.push_back(std::move(history));
  }
  return result;
}

}  // namespace scalebench::results
