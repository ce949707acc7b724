// Two experiments' trial results compared configuration by configuration
// for one metric (analysis/run_comparison.h): what `scalebench compare`
// prints and the nightly notifier reads. Configurations are matched by
// their factor values (api::FactorCells), not by index, so two specs that
// sweep the same factors in another order still match. A pure function
// of its inputs; thread-safe.
#ifndef SCALEBENCH_RESULTS_COMPARE_RUNS_H_
#define SCALEBENCH_RESULTS_COMPARE_RUNS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analysis/run_comparison.h"
#include "results/repetitions.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::results {

struct CompareOptions {
  // A name of api::MetricColumns(). Default requests_per_s. Its sense
  // (higher or lower is better) is api::HigherIsBetter's.
  std::string metric = std::string(kDefaultSummaryMetric);
  // Smallest |relative change| that counts, 0.03 = 3%. Default 0.03.
  double threshold = 0.03;
  // Family-wise significance level (Holm). Default 0.05.
  double alpha = 0.05;
};

// A configuration measured by both experiments.
struct ComparedConfiguration {
  // As the baseline's first trial of it has it (its index is the
  // baseline's).
  v1::Configuration configuration;
  // api::FactorCells(configuration): the matching key.
  std::vector<std::string> factors;
  analysis::ConfigurationComparison comparison;
};

// A configuration only one experiment measured.
struct UnmatchedConfiguration {
  v1::Configuration configuration;
  std::vector<std::string> factors;
  // Its number of trial results.
  int n = 0;
};

struct RunsComparison {
  std::string metric;
  bool higher_is_better = true;
  double threshold = 0;
  double alpha = 0;
  // Ordered by the baseline's configuration index.
  std::vector<ComparedConfiguration> configurations;
  // By configuration index in their own experiment.
  std::vector<UnmatchedConfiguration> only_baseline;
  std::vector<UnmatchedConfiguration> only_contender;
  // analysis::RunComparison.runs_for_significance; 0 without matches.
  int runs_for_significance = 0;
  // How many configurations got each verdict.
  int regressions = 0;
  int improvements = 0;
  int unchanged = 0;
};

// Compares `contender` with `baseline` (each an experiment's merged trial
// results, any order) for options.metric. No configuration in common is
// not an error: `configurations` is then empty. Errors: INVALID_ARGUMENT
// "metric: ..." for a name that is not a metric column; "baseline
// trials[I]: ..." (or "contender ...") when a row cannot be made
// (TrialRowCells) or the metric is not a finite positive number there
// (the change is a ratio: errors, which are often 0, cannot be compared);
// "threshold: ..." and "alpha: ..." as analysis::CompareRuns.
absl::StatusOr<RunsComparison> CompareTrialResults(
    const std::vector<v1::TrialResult>& baseline,
    const std::vector<v1::TrialResult>& contender,
    const CompareOptions& options = {});

}  // namespace scalebench::results

#endif  // SCALEBENCH_RESULTS_COMPARE_RUNS_H_
