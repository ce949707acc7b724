#include "analysis/relative_change.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analysis/comparison.h"
#include "analysis/distributions.h"

namespace scalebench::analysis {
namespace {

// Above this many runs per sample RunsForSignificance stops looking; the
// normal approximation's smallest p falls far below any sane level first.
constexpr int kMaxRunsConsidered = 100000;

// The logs of `sample`, or INVALID_ARGUMENT naming `name` and the value.
absl::StatusOr<std::vector<double>> Logs(absl::Span<const double> sample,
                                         const char* name) {
  if (sample.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": no values"));
  }
  std::vector<double> logs;
  logs.reserve(sample.size());
  for (size_t i = 0; i < sample.size(); ++i) {
    if (!std::isfinite(sample[i]) || !(sample[i] > 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ": value ", i + 1, " is ", sample[i],
          ", not a finite positive number (a relative change is a ratio)"));
    }
    logs.push_back(std::log(sample[i]));
  }
  return logs;
}

// Sum of t^3 - t over the groups of equal values in the pooled samples.
double TieTerm(absl::Span<const double> a, absl::Span<const double> b) {
  std::vector<double> pooled(a.begin(), a.end());
  pooled.insert(pooled.end(), b.begin(), b.end());
  std::sort(pooled.begin(), pooled.end());
  double term = 0;
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j < pooled.size() && pooled[j] == pooled[i]) ++j;
    const double t = static_cast<double>(j - i);
    term += t * t * t - t;
    i = j;
  }
  return term;
}

}  // namespace

absl::StatusOr<RelativeChange> RelativeChangeOf(
    absl::Span<const double> baseline, absl::Span<const double> contender) {
  absl::StatusOr<std::vector<double>> base = Logs(baseline, "baseline");
  if (!base.ok()) return base.status();
  absl::StatusOr<std::vector<double>> cont = Logs(contender, "contender");
  if (!cont.ok()) return cont.status();
  const int m = static_cast<int>(base->size());
  const int n = static_cast<int>(cont->size());
  const size_t pairs = static_cast<size_t>(m) * n;

  std::vector<double> d;  // Every log(contender_j / baseline_i), sorted.
  d.reserve(pairs);
  for (double b : *base) {
    for (double c : *cont) d.push_back(c - b);
  }
  std::sort(d.begin(), d.end());
  const double hl =
      pairs % 2 == 1 ? d[pairs / 2] : 0.5 * (d[pairs / 2 - 1] + d[pairs / 2]);

  RelativeChange change;
  change.estimate = std::expm1(hl);
  const double tail = 0.5 * (1 - kConfidenceLevel);
  const double tie_term = TieTerm(baseline, contender);
  int k = 0;              // The largest rank with P(U <= k - 1) <= tail.
  double lower_tail = 0;  // P(U <= k - 1) for that k.
  if (tie_term == 0 && m <= kMaxExactSampleSize && n <= kMaxExactSampleSize) {
    change.exact = true;
    const std::vector<double> counts = MannWhitneyUCounts(m, n);
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    double below = 0;  // Arrangements with U <= k - 1.
    while (static_cast<size_t>(k) < counts.size() &&
           (below + counts[k]) / total <= tail) {
      below += counts[k];
      ++k;
    }
    lower_tail = below / total;
  } else {
    const double total = m + n;
    const double variance = static_cast<double>(pairs) / 12 *
                            ((total + 1) - tie_term / (total * (total - 1)));
    if (variance > 0) {
      const double sd = std::sqrt(variance);
      const double z = NormalQuantile(1 - tail);
      // P(U <= k - 1) ~ Phi((k - 1/2 - mn/2) / sd) <= tail.
      k = static_cast<int>(
          std::floor(0.5 * static_cast<double>(pairs) + 0.5 - z * sd));
      k = std::max(k, 0);
      lower_tail = NormalCdf((k - 0.5 - 0.5 * static_cast<double>(pairs)) / sd);
    }
  }
  if (k >= 1 && static_cast<size_t>(k) <= pairs + 1 - k) {
    change.rank = k;
    change.coverage = 1 - 2 * lower_tail;
    change.ci = Interval{std::expm1(d[k - 1]), std::expm1(d[pairs - k])};
  }
  return change;
}

double SmallestMannWhitneyP(int m, int n) {
  if (m <= kMaxExactSampleSize && n <= kMaxExactSampleSize) {
    // 1 / C(m + n, m), as a product to stay finite.
    double inverse = 1;
    for (int i = 1; i <= m; ++i) inverse *= static_cast<double>(i) / (n + i);
    return std::min(1.0, 2 * inverse);
  }
  const double mn = static_cast<double>(m) * n;
  const double sd = std::sqrt(mn * (m + n + 1) / 12);
  return std::min(1.0, 2 * NormalCdf(-(0.5 * mn - 0.5) / sd));
}

int RunsForSignificance(double level) {
  int n = 1;
  while (n < kMaxRunsConsidered && SmallestMannWhitneyP(n, n) > level) ++n;
  return n;
}

}  // namespace scalebench::analysis
