#include "analysis/repetition_stats.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analysis/distributions.h"

namespace scalebench::analysis {
namespace {

constexpr double kPi = 3.14159265358979323846;

// The widest lower rank l whose interval [x_(l), x_(n+1-l)] still covers
// the median with probability >= kConfidenceLevel.
std::optional<MedianInterval> MedianOrderStatisticInterval(
    const std::vector<double>& sorted) {
  const int n = static_cast<int>(sorted.size());
  const double tail = 0.5 * (1 - kConfidenceLevel);
  int lower = 0;
  while (lower + 1 <= n / 2 && BinomialCdf(lower, n, 0.5) <= tail) ++lower;
  if (lower == 0) return std::nullopt;
  MedianInterval result;
  result.lower_rank = lower;
  result.upper_rank = n + 1 - lower;
  result.interval = {sorted[lower - 1], sorted[n - lower]};
  result.coverage = 1 - 2 * BinomialCdf(lower - 1, n, 0.5);
  return result;
}

}  // namespace

absl::StatusOr<RepetitionSummary> SummarizeRepetitions(
    absl::Span<const double> runs) {
  if (runs.empty()) {
    return absl::InvalidArgumentError("no runs to summarize");
  }
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!std::isfinite(runs[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("run ", i + 1, " is not finite"));
    }
  }
  std::vector<double> sorted(runs.begin(), runs.end());
  std::sort(sorted.begin(), sorted.end());
  const int n = static_cast<int>(sorted.size());
  RepetitionSummary summary;
  summary.n = n;
  summary.median =
      n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  if (n >= kMinRunsForMedianInterval) {
    summary.median_ci = MedianOrderStatisticInterval(sorted);
  }
  double sum = 0;
  for (double v : sorted) sum += v;
  summary.mean = sum / n;
  if (n >= 2) {
    double squares = 0;
    for (double v : sorted) squares += (v - summary.mean) * (v - summary.mean);
    summary.stdev = std::sqrt(squares / (n - 1));
    if (summary.mean != 0) summary.cv = *summary.stdev / summary.mean;
  }
  if (sorted.front() > 0) {
    double reciprocals = 0;
    for (double v : sorted) reciprocals += 1 / v;
    summary.harmonic_mean = n / reciprocals;
  }
  return summary;
}

absl::StatusOr<int> RunsForHalfWidth(const RepetitionSummary& summary,
                                     double relative_half_width) {
  if (!(relative_half_width > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the target half-width must be positive, got ", relative_half_width));
  }
  if (!summary.stdev.has_value()) {
    return absl::InvalidArgumentError(
        "one run shows no spread: at least 2 are needed to estimate it");
  }
  if (summary.median == 0) {
    return absl::InvalidArgumentError(
        "the median is 0: a relative half-width is undefined");
  }
  const double z = NormalQuantile(0.5 + 0.5 * kConfidenceLevel);
  const double ratio =
      z * *summary.stdev / (relative_half_width * std::fabs(summary.median));
  const double runs = std::ceil(0.5 * kPi * ratio * ratio);
  if (!(runs < 1e9)) {
    return absl::InvalidArgumentError(
        "the target half-width is unreachable: over a billion runs needed");
  }
  return std::max(kMinRunsForMedianInterval, static_cast<int>(runs));
}

}  // namespace scalebench::analysis
