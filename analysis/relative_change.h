// The relative change from a baseline sample to a contender sample with a
// distribution-free 95% interval that agrees with the Mann-Whitney test:
// the Hodges-Lehmann estimate of the shift in log values with Moses's
// order-statistic interval, reported as a ratio minus one; and the
// smallest p-value the test allows for given sample sizes. Pure
// functions; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_RELATIVE_CHANGE_H_
#define SCALEBENCH_ANALYSIS_RELATIVE_CHANGE_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "analysis/estimate.h"

namespace scalebench::analysis {

struct RelativeChange {
  // exp(HL) - 1, HL the Hodges-Lehmann estimate: the median of the m n
  // pairwise log(contender_j / baseline_i). +0.05 is 5% higher.
  double estimate = 0;
  // [exp(D_(k)) - 1, exp(D_(mn+1-k)) - 1], D the sorted pairwise log
  // ratios, k the largest rank whose coverage is at least
  // kConfidenceLevel. Absent when even k = 1 falls short (3 and 3 runs:
  // 1 - 2/20 = 90%).
  std::optional<Interval> ci;
  // The interval's actual coverage, 1 - 2 P(U <= k - 1) under the null
  // (approximate when not `exact`); 0 without an interval.
  double coverage = 0;
  // k; 0 without an interval.
  int rank = 0;
  // True when k comes from the exact null distribution of U (both samples
  // at most kMaxExactSampleSize, no ties in the pooled values); otherwise
  // from the normal approximation with the tie-corrected variance and a
  // continuity correction of 1/2, as MannWhitneyU computes p.
  bool exact = false;
};

// The change from `baseline` to `contender`. Zero lies outside the
// interval exactly when the two-sided Mann-Whitney test rejects at 1 -
// coverage (for the exact case). INVALID_ARGUMENT "baseline: value I is
// ..." (or "contender: ...") when a sample is empty or a value is not
// finite and positive: the log scale needs positive values.
absl::StatusOr<RelativeChange> RelativeChangeOf(
    absl::Span<const double> baseline, absl::Span<const double> contender);

// The smallest two-sided p-value MannWhitneyU can give for samples of m
// and n values (m, n >= 1), reached when they do not overlap: 2 / C(m + n,
// m) capped at 1 when both are at most kMaxExactSampleSize, otherwise the
// normal approximation at U = m n.
double SmallestMannWhitneyP(int m, int n);

// The fewest runs n per sample for which SmallestMannWhitneyP(n, n) <=
// `level` (e.g. 0.05 / 3 for Holm's first step over three comparisons).
// `level` in (0, 1); returns 4 for 0.05.
int RunsForSignificance(double level);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_RELATIVE_CHANGE_H_
