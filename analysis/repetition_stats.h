// Summaries of the repeated runs of one configuration: the median with a
// distribution-free 95% interval from order statistics, the mean, standard
// deviation, coefficient of variation and harmonic mean, and an estimate of
// how many runs a target precision needs. Pure functions; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_REPETITION_STATS_H_
#define SCALEBENCH_ANALYSIS_REPETITION_STATS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "analysis/estimate.h"

namespace scalebench::analysis {

// The fewest runs for which order statistics give a 95% interval for the
// median: with 6, [min, max] covers it with probability 1 - 2/64.
inline constexpr int kMinRunsForMedianInterval = 6;

// [x_(lower_rank), x_(upper_rank)] of the sorted runs (ranks from 1), the
// narrowest symmetric pair whose coverage of the true median is at least
// 95% for any continuous distribution.
struct MedianInterval {
  Interval interval;
  int lower_rank = 0;
  int upper_rank = 0;
  // Exactly 1 - 2 P(B <= lower_rank - 1), B ~ Binomial(n, 1/2).
  double coverage = 0;
};

struct RepetitionSummary {
  int n = 0;
  double median = 0;
  // Absent for fewer than kMinRunsForMedianInterval runs.
  std::optional<MedianInterval> median_ci;
  double mean = 0;
  // Sample standard deviation (divisor n - 1); absent for one run.
  std::optional<double> stdev;
  // stdev / mean; absent with stdev, or when the mean is 0.
  std::optional<double> cv;
  // n / sum(1 / x), the right average of rates; absent unless every run is
  // positive.
  std::optional<double> harmonic_mean;
};

// Summarizes the runs. INVALID_ARGUMENT when there are none or one is not
// finite.
absl::StatusOr<RepetitionSummary> SummarizeRepetitions(
    absl::Span<const double> runs);

// Estimates how many runs make the median's 95% interval at most
// `relative_half_width` (e.g. 0.03) of the median wide on each side, from
// the spread seen so far: n = ceil((pi / 2) (z s / (h median))^2), the
// large-sample variance of a median being pi/2 times that of a mean for
// normal data; never below kMinRunsForMedianInterval. INVALID_ARGUMENT
// when the half-width is not positive, or the summary has no standard
// deviation (one run) or a zero median.
absl::StatusOr<int> RunsForHalfWidth(const RepetitionSummary& summary,
                                     double relative_half_width);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_REPETITION_STATS_H_
