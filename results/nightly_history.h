// A schedule's nightly series: for each configuration (matched across
// nights by its factor values, as compare_runs.h matches them), the median
// of a metric night by night, and the change points in that series
// (analysis/change_points.h): the night each shift began, its size and its
// significance. What `scalebench history` prints and the nightly judge
// notifies. A pure function of its inputs; thread-safe.
#ifndef SCALEBENCH_RESULTS_NIGHTLY_HISTORY_H_
#define SCALEBENCH_RESULTS_NIGHTLY_HISTORY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "analysis/change_points.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::results {

// One night's successful run.
struct NightlyRun {
  // "experiments/{experiment}".
  std::string experiment;
  absl::Time night;
  std::vector<v1::TrialResult> trials;
};

// One configuration on one night.
struct NightPoint {
  absl::Time night;
  std::string experiment;
  // The metric's median over the night's trials of the configuration, and
  // their number.
  double median = 0;
  int n = 0;
};

struct ConfigurationHistory {
  // As its earliest night has it.
  v1::Configuration configuration;
  // api::FactorCells(configuration): the key that matches nights.
  std::vector<std::string> factors;
  // Oldest first; only the nights that measured it.
  std::vector<NightPoint> points;
  // Indexes into `points`: points[index] is the first night after the
  // shift.
  std::vector<analysis::ChangePoint> change_points;
};

// Builds the series of each configuration from `runs` (any order; sorted
// by night here) and finds their change points with `options`. Ordered by
// the factors of the configuration. Errors: MetricValues' ("metric: ...",
// "<experiment>: trials[I]: ..."), and the options' INVALID_ARGUMENT.
absl::StatusOr<std::vector<ConfigurationHistory>> BuildNightlyHistory(
    std::vector<NightlyRun> runs, absl::string_view metric,
    const analysis::ChangePointOptions& options = {});

}  // namespace scalebench::results

#endif  // SCALEBENCH_RESULTS_NIGHTLY_HISTORY_H_
