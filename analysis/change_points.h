// Change points in a series of measurements taken over time (one value a
// night): where the level shifted, by how much, and how surely. E-divisive
// means (Matteson & James 2014) with a permutation test at every step, so
// no distribution is assumed. Pure functions, deterministic for a given
// seed; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_CHANGE_POINTS_H_
#define SCALEBENCH_ANALYSIS_CHANGE_POINTS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace scalebench::analysis {

// The most permutations a test may take: the cost is O(n^2 * permutations)
// and 9,999 resolve p-values down to 1e-4, so significance must be at
// least 1 / (kMaxPermutations + 1).
inline constexpr int kMaxPermutations = 9'999;
// The longest min_segment: far beyond any series worth the quadratic cost,
// and small enough that 2 * min_segment cannot overflow.
inline constexpr int kMaxMinSegment = 100'000;
// The longest series DetectChangePoints takes: 27 years of nights. The
// cost grows with the square of the length: 2,000 values take some 4 s a
// change point at the defaults, 10,000 some 90 s.
inline constexpr size_t kMaxSeriesLength = 10'000;

struct ChangePointOptions {
  // A split is accepted when its permutation p-value is at most this. In
  // [1 / (kMaxPermutations + 1), 1); default 0.05.
  double significance = 0.05;
  // Random permutations per test; from 1 to kMaxPermutations, and enough
  // that the smallest possible p-value, 1 / (permutations + 1), is <=
  // significance. Default 199 (smallest p 0.005).
  int permutations = 199;
  // Fewest observations on either side of a change point; from 2 to
  // kMaxMinSegment.
  // A shift in the last min_segment - 1 observations cannot be seen yet.
  // Default 3.
  int min_segment = 3;
  // Exponent of the distance |x - y|^alpha in the energy statistic; in
  // (0, 2). Default 1; other values cost a pow() per pair (several times
  // slower).
  double alpha = 1;
  // Seed of the permutations' std::mt19937_64; the same seed, series and
  // options give the same result on every platform.
  uint64_t seed = 20140101;
  // Stop after this many change points; 0 (the default) for no limit.
  int max_change_points = 0;
};

struct ChangePoint {
  // The first observation after the shift (from 0).
  int index = 0;
  // Medians of the observations from the previous change point (or the
  // start) to this one, and from this one to the next (or the end).
  double before = 0;
  double after = 0;
  // after / before - 1; absent when before is 0.
  std::optional<double> change;
  // The permutation p-value of the split when it was accepted:
  // (1 + permutations whose statistic reached the observed one) /
  // (permutations + 1).
  double p_value = 1;
};

// OK, or INVALID_ARGUMENT naming the field of ChangePointOptions that is
// out of range ("significance must be in (0, 1); got 1.5").
absl::Status ValidateChangePointOptions(const ChangePointOptions& options);

// The change points of `series` (in time order), sorted by index. Splits
// hierarchically: the split of one segment (between change points found
// so far) that maximizes the scaled energy statistic is tested by
// permuting the observations within every segment; a significant split is
// kept and the search goes on, the first insignificant one ends it. A
// series shorter than 2 * min_segment, or constant, has none.
// INVALID_ARGUMENT for bad options (as ValidateChangePointOptions), a
// series longer than kMaxSeriesLength, or a value that is not finite
// ("series[12] is not finite (nan)"). Cost
// O(n^2 * permutations) per test: 365 values take about 0.05 s a change
// point at the defaults.
absl::StatusOr<std::vector<ChangePoint>> DetectChangePoints(
    absl::Span<const double> series, const ChangePointOptions& options = {});

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_CHANGE_POINTS_H_
