// Comparing configurations without assuming normal data: the Mann-Whitney
// U test with an effect size, and Holm's correction for a family of such
// comparisons. Pure functions; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_COMPARISON_H_
#define SCALEBENCH_ANALYSIS_COMPARISON_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace scalebench::analysis {

// Samples up to this size, without ties, get the exact null distribution.
inline constexpr int kMaxExactSampleSize = 25;

struct MannWhitneyResult {
  // U of the first sample: pairs (a, b) with a > b, plus half the ties.
  double u = 0;
  // Two-sided p-value.
  double p_value = 1;
  // True when p_value comes from the exact distribution of U; otherwise
  // from the normal approximation with tie and continuity corrections.
  bool exact = false;
  // Effect size: P(A > B) + P(A = B) / 2 = U / (n_a n_b); 0.5 means none.
  double probability_of_superiority = 0.5;
  // 2 * probability_of_superiority - 1, in [-1, 1].
  double rank_biserial = 0;
};

// Tests whether a and b come from the same distribution against a shift in
// either direction. Exact when both samples have at most
// kMaxExactSampleSize values and there are no ties (p = 2 P(U >= max(U,
// n_a n_b - U)), capped at 1); otherwise normal with the tie-corrected
// variance and a continuity correction of 1/2. INVALID_ARGUMENT when a
// sample is empty or a value is not finite.
absl::StatusOr<MannWhitneyResult> MannWhitneyU(absl::Span<const double> a,
                                               absl::Span<const double> b);

// Holm's step-down adjustment of a family of p-values, returned in input
// order: the i-th smallest becomes max over j <= i of min(1, (m - j + 1)
// p_(j)). Rejecting where adjusted p <= alpha controls the family-wise
// error rate at alpha.
std::vector<double> HolmAdjust(absl::Span<const double> p_values);

// The exact null distribution of U for samples of sizes m and n without
// ties: element u (0 .. m n) is the number of the C(m + n, m) equally
// likely arrangements with U = u. Exact integers in doubles for m, n <=
// kMaxExactSampleSize; callers keep to that (and to m, n >= 1).
std::vector<double> MannWhitneyUCounts(int m, int n);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_COMPARISON_H_
