// The repetitions of each configuration summarized (median with its
// distribution-free 95% interval, from analysis/repetition_stats.h), and
// the adaptive repetition rule: whether a configuration has been measured
// often enough, and if not, how many more runs are suggested. Stateless
// functions; thread-safe.
#ifndef SCALEBENCH_RESULTS_REPETITIONS_H_
#define SCALEBENCH_RESULTS_REPETITIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "analysis/repetition_stats.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::results {

// The metric summarized when none is named.
inline constexpr absl::string_view kDefaultSummaryMetric = "requests_per_s";

// One configuration's repetitions.
struct ConfigurationSummary {
  // The configuration (of its first trial in the input) and its index.
  v1::Configuration configuration;
  // The number of trial results of this configuration.
  int n = 0;
  // The metric over those results: n, median, its 95% interval when n >=
  // analysis::kMinRunsForMedianInterval, mean, spread.
  analysis::RepetitionSummary summary;
};

// Groups `trials` by configuration index (ascending) and summarizes
// `metric`, a name of api::MetricColumns(), read as results/trial_rows.h
// writes it. Errors: INVALID_ARGUMENT "metric: ..." when `metric` is not a
// metric column, and TrialRowCells' errors ("trials[i]: ...");
// analysis::SummarizeRepetitions' when a value is not finite.
absl::StatusOr<std::vector<ConfigurationSummary>> SummarizeByConfiguration(
    const std::vector<v1::TrialResult>& trials,
    absl::string_view metric = kDefaultSummaryMetric);

// What the adaptive rule says about one configuration.
struct AdaptiveDecision {
  // True: no more repetitions are needed.
  bool enough = false;
  // When not enough: how many more runs are suggested (>= 1), so that n +
  // more does not exceed the policy's max. 0 when enough.
  int more = 0;
  // One line for people saying why.
  std::string reason;
};

// Applies `policy` (min defaults to analysis::kMinRunsForMedianInterval)
// to `summary`. Enough when n >= max, or when n >= min and the median's
// interval exists and its half-width (high - low) / 2 <= ci_halfwidth x
// |median|. Otherwise `more` = (the larger of min and
// analysis::RunsForHalfWidth, or min when that has no estimate), capped at
// max, minus n, and at least 1. Errors: INVALID_ARGUMENT "ci_halfwidth:
// ..." unless it is in (0, 1), "max: ..." when max is 0 or below min.
absl::StatusOr<AdaptiveDecision> DecideAdaptive(
    const v1::RepetitionPolicy::Adaptive& policy,
    const analysis::RepetitionSummary& summary);

}  // namespace scalebench::results

#endif  // SCALEBENCH_RESULTS_REPETITIONS_H_
