#include "analysis/comparison.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analysis/distributions.h"

namespace scalebench::analysis {
namespace {

absl::Status CheckSample(absl::Span<const double> sample, const char* name) {
  if (sample.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("sample ", name, " is empty"));
  }
  for (size_t i = 0; i < sample.size(); ++i) {
    if (!std::isfinite(sample[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("value ", i + 1, " of sample ", name, " is not finite"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

// The coefficients of the Gaussian binomial [m + n choose m]_q = prod_{k=1..m}
// (1 - q^(n+k)) / (1 - q^k). Every step keeps integer coefficients below
// 2^53 for m, n <= kMaxExactSampleSize.
std::vector<double> MannWhitneyUCounts(int m, int n) {
  std::vector<double> poly(static_cast<size_t>(m) * n + 1, 0.0);
  poly[0] = 1;
  for (int k = 1; k <= m; ++k) {
    // Multiply by (1 - q^(n+k)), from the top down.
    for (int i = static_cast<int>(poly.size()) - 1; i >= n + k; --i) {
      poly[i] -= poly[i - n - k];
    }
    // Divide by (1 - q^k): a running sum with stride k.
    for (size_t i = k; i < poly.size(); ++i) poly[i] += poly[i - k];
  }
  return poly;
}

absl::StatusOr<MannWhitneyResult> MannWhitneyU(absl::Span<const double> a,
                                               absl::Span<const double> b) {
  if (absl::Status s = CheckSample(a, "a"); !s.ok()) return s;
  if (absl::Status s = CheckSample(b, "b"); !s.ok()) return s;
  const int m = static_cast<int>(a.size());
  const int n = static_cast<int>(b.size());
  const int total = m + n;

  // Midranks of the pooled sample; sum of a's ranks; the tie term.
  std::vector<std::pair<double, bool>> pooled;  // (value, from a)
  for (double v : a) pooled.emplace_back(v, true);
  for (double v : b) pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end());
  double rank_sum_a = 0;
  double tie_term = 0;  // sum of t^3 - t over groups of ties
  for (int i = 0; i < total;) {
    int j = i;
    while (j < total && pooled[j].first == pooled[i].first) ++j;
    const double midrank = 0.5 * (i + 1 + j);
    for (int k = i; k < j; ++k) {
      if (pooled[k].second) rank_sum_a += midrank;
    }
    const double t = j - i;
    tie_term += t * t * t - t;
    i = j;
  }

  MannWhitneyResult result;
  const double mn = static_cast<double>(m) * n;
  result.u = rank_sum_a - 0.5 * m * (m + 1);
  result.probability_of_superiority = result.u / mn;
  result.rank_biserial = 2 * result.probability_of_superiority - 1;
  const double u_large = std::max(result.u, mn - result.u);

  if (tie_term == 0 && m <= kMaxExactSampleSize && n <= kMaxExactSampleSize) {
    result.exact = true;
    const std::vector<double> counts = MannWhitneyUCounts(m, n);
    const double arrangements =
        std::accumulate(counts.begin(), counts.end(), 0.0);
    double upper = 0;  // arrangements with U >= u_large
    for (size_t u = static_cast<size_t>(std::lround(u_large));
         u < counts.size(); ++u) {
      upper += counts[u];
    }
    result.p_value = std::min(1.0, 2 * upper / arrangements);
    return result;
  }
  const double variance =
      mn / 12 *
      ((total + 1) - tie_term / (static_cast<double>(total) * (total - 1)));
  if (!(variance > 0)) {
    result.p_value = 1;  // every value tied: no evidence of a difference
    return result;
  }
  const double z = (u_large - 0.5 * mn - 0.5) / std::sqrt(variance);
  result.p_value = std::min(1.0, 2 * NormalCdf(-z));
  return result;
}

std::vector<double> HolmAdjust(absl::Span<const double> p_values) {
  const size_t m = p_values.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) {
    return p_values[i] < p_values[j];
  });
  std::vector<double> adjusted(m);
  double running_max = 0;
  for (size_t rank = 0; rank < m; ++rank) {
    const double scaled =
        std::min(1.0, static_cast<double>(m - rank) * p_values[order[rank]]);
    running_max = std::max(running_max, scaled);
    adjusted[order[rank]] = running_max;
  }
  return adjusted;
}

}  // namespace scalebench::analysis
