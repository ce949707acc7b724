// Comparing two runs of the same configurations (a baseline and a
// contender): per configuration the medians, the relative change with its
// interval (relative_change.h), Mann-Whitney's p with Holm's correction
// across the configurations, the effect size, and a verdict. The verdict
// names are the one vocabulary of the CLI's text and JSON and of the
// nightly notifier. Pure functions; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_RUN_COMPARISON_H_
#define SCALEBENCH_ANALYSIS_RUN_COMPARISON_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "analysis/comparison.h"
#include "analysis/relative_change.h"
#include "analysis/repetition_stats.h"

namespace scalebench::analysis {

enum class Verdict {
  // Not significant after Holm's correction, or no larger than the
  // threshold.
  kNoChange,
  // Significant and larger than the threshold, for the better.
  kImprovement,
  // Significant and larger than the threshold, for the worse.
  kRegression,
};

// "no_change", "improvement", "regression".
absl::string_view VerdictName(Verdict verdict);

struct RunComparisonOptions {
  // A change counts only when |relative change| is larger than this: 0.03
  // is 3%. Default 0.03; >= 0.
  double threshold = 0.03;
  // Family-wise significance level for Holm's procedure. Default 0.05; in
  // (0, 1).
  double alpha = 0.05;
  // True when a higher value is better (throughput), false when lower is
  // (latency, errors). Default true.
  bool higher_is_better = true;
};

// One configuration's runs of the metric.
struct ConfigurationSamples {
  std::vector<double> baseline;
  std::vector<double> contender;
};

struct ConfigurationComparison {
  // Each sample's median (with its interval from
  // kMinRunsForMedianInterval runs on), mean and spread.
  RepetitionSummary baseline;
  RepetitionSummary contender;
  // contender / baseline - 1, the Hodges-Lehmann estimate, with its
  // interval when the sample sizes allow one.
  RelativeChange change;
  // MannWhitneyU(contender, baseline): p unadjusted; the effect size is
  // P(contender > baseline) (+ half the ties) and its rank-biserial.
  MannWhitneyResult test;
  // test.p_value after Holm's adjustment across all configurations.
  double holm_p = 1;
  // The smallest p these sample sizes allow (SmallestMannWhitneyP).
  double smallest_p = 1;
  // False when even completely separated runs in every configuration
  // could not be significant: smallest_p x (number of configurations) >
  // alpha, Holm's first step.
  bool can_be_significant = false;
  // holm_p <= alpha and |change.estimate| > threshold; the direction by
  // the metric's sense. kNoChange otherwise.
  Verdict verdict = Verdict::kNoChange;
};

struct RunComparison {
  // One per input configuration, in input order.
  std::vector<ConfigurationComparison> configurations;
  // The fewest runs per sample (equal sizes) with which a configuration
  // can be significant at Holm's first step over this many
  // configurations: RunsForSignificance(alpha / configurations).
  int runs_for_significance = 0;
};

// Compares each configuration's contender with its baseline. Errors:
// INVALID_ARGUMENT "threshold: ..." or "alpha: ..." for options out of
// range; "configuration I: baseline: value J is ..." (I from 1) when a
// sample is empty or a value is not finite and positive.
absl::StatusOr<RunComparison> CompareRuns(
    absl::Span<const ConfigurationSamples> configurations,
    const RunComparisonOptions& options);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_RUN_COMPARISON_H_
