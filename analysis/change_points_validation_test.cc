// Validation of DetectChangePoints on synthetic nightly series with a known
// shift (or none): how often the shift is found at the right night, missed,
// or joined by change points that are not there, by shift size, noise and
// position. Prints the counts (docs/analysis.md quotes them) and asserts
// bounds stated in signal-to-noise terms.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "analysis/change_points.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

constexpr double kLevel = 1000;
constexpr int kReplicates = 15;
constexpr int kNoShiftReplicates = 100;
// A change point within this many nights of the true one is a hit.
constexpr int kTolerance = 1;

// Standard normal draws from the engine's output alone (Box-Muller).
class Gaussian final {
 public:
  explicit Gaussian(uint64_t seed) : rng_(seed) {}
  double operator()() {
    const double u1 = ((rng_() >> 11) + 1) * 0x1.0p-53;
    const double u2 = ((rng_() >> 11) + 1) * 0x1.0p-53;
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * kPi * u2);
  }

 private:
  static constexpr double kPi = 3.14159265358979323846;
  std::mt19937_64 rng_;
};

enum Position { kEarly, kMiddle, kLate, kEnd, kPositions };
constexpr const char* kPositionNames[] = {"early", "middle", "late", "end"};

// The first shifted night: a fifth in, half way, a fifth from the end, and
// the last night that leaves min_segment nights after the shift.
int ShiftIndex(Position position, int n, int min_segment) {
  switch (position) {
    case kEarly:
      return n / 5;
    case kMiddle:
      return n / 2;
    case kLate:
      return n - n / 5;
    default:
      return n - min_segment;
  }
}

struct Counts {
  int series = 0;
  int hits = 0;
  // Series with at least one change point that is not the hit.
  int false_alarms = 0;
  void Add(const Counts& other) {
    series += other.series;
    hits += other.hits;
    false_alarms += other.false_alarms;
  }
};

// Runs `replicates` series of length n with a relative `shift` at `at`
// (none when at >= n) and noise sd `cv` * kLevel.
Counts RunSeries(int n, int at, double shift, double cv, int replicates,
                 uint64_t seed) {
  Counts counts;
  Gaussian noise(seed);
  for (int r = 0; r < replicates; ++r) {
    std::vector<double> series;
    for (int i = 0; i < n; ++i) {
      series.push_back(kLevel * (i < at ? 1 : 1 + shift) +
                       cv * kLevel * noise());
    }
    absl::StatusOr<std::vector<ChangePoint>> points =
        DetectChangePoints(series);
    EXPECT_TRUE(points.ok()) << points.status();
    if (!points.ok()) continue;
    ++counts.series;
    bool hit = false;
    bool extra = false;
    for (const ChangePoint& point : *points) {
      if (at < n && !hit && std::abs(point.index - at) <= kTolerance) {
        hit = true;
      } else {
        extra = true;
      }
    }
    counts.hits += hit;
    counts.false_alarms += extra;
  }
  return counts;
}

std::string Cell(const Counts& c) {
  return absl::StrFormat("%d/%d", c.hits, c.series);
}

TEST(ChangePointsValidationTest, HitsMissesAndFalseAlarms) {
  const int lengths[] = {30, 60, 120};
  const double shifts[] = {0.02, 0.03, 0.05, 0.10, 0.30};
  const double cvs[] = {0.01, 0.02, 0.05};
  const int min_segment = ChangePointOptions{}.min_segment;
  uint64_t seed = 1;

  std::printf(
      "Change points on synthetic series (default options; hit = found "
      "within +-%d nights)\n"
      "%6s %5s %6s %4s | %9s %9s %9s %9s | %6s %12s\n",
      kTolerance, "shift", "cv", "shift/sd", "n", "early", "middle", "late",
      "end", "misses", "false alarms");
  // By signal-to-noise: detection at early/middle/late, and at the end.
  Counts strong;      // shift >= 3 sd, early/middle/late.
  Counts strong_end;  // shift >= 5 sd, at the end.
  Counts shifted;     // every series with a shift.
  for (double shift : shifts) {
    for (double cv : cvs) {
      for (int n : lengths) {
        Counts by_position[kPositions];
        Counts row;
        for (int p = 0; p < kPositions; ++p) {
          const Position position = static_cast<Position>(p);
          by_position[p] = RunSeries(n, ShiftIndex(position, n, min_segment),
                                     shift, cv, kReplicates, seed++);
          row.Add(by_position[p]);
          const double snr = shift / cv;
          if (position != kEnd && snr >= 3 - 1e-9) strong.Add(by_position[p]);
          if (position == kEnd && snr >= 5 - 1e-9) {
            strong_end.Add(by_position[p]);
          }
        }
        shifted.Add(row);
        std::printf("%5.0f%% %4.0f%% %8.1f %4d | %9s %9s %9s %9s | %6d %12d\n",
                    shift * 100, cv * 100, shift / cv, n,
                    Cell(by_position[kEarly]).c_str(),
                    Cell(by_position[kMiddle]).c_str(),
                    Cell(by_position[kLate]).c_str(),
                    Cell(by_position[kEnd]).c_str(), row.series - row.hits,
                    row.false_alarms);
      }
    }
  }
  Counts none;
  for (double cv : cvs) {
    for (int n : lengths) {
      const Counts c = RunSeries(n, n, 0, cv, kNoShiftReplicates, seed++);
      none.Add(c);
    }
  }
  std::printf(
      "shift >= 3 sd (early/middle/late): %d/%d hits, %d with a false "
      "alarm\n"
      "shift >= 5 sd, only %d nights after it: %d/%d hits\n"
      "series with a shift: %d/%d hits, %d with a false alarm\n"
      "series without a shift: %d/%d with a false alarm\n",
      strong.hits, strong.series, strong.false_alarms, min_segment,
      strong_end.hits, strong_end.series, shifted.hits, shifted.series,
      shifted.false_alarms, none.false_alarms, none.series);

  // Also in the test's XML report (--gtest_output=xml).
  RecordProperty("hits_3sd", Cell(strong));
  RecordProperty("false_alarms_3sd", strong.false_alarms);
  RecordProperty("hits_5sd_end", Cell(strong_end));
  RecordProperty("false_alarms_no_shift",
                 absl::StrFormat("%d/%d", none.false_alarms, none.series));

  EXPECT_GE(strong.hits, 0.95 * strong.series);
  EXPECT_GE(strong_end.hits, 0.5 * strong_end.series);
  EXPECT_LE(none.false_alarms, 0.08 * none.series);
  EXPECT_LE(strong.false_alarms, 0.10 * strong.series);
}

}  // namespace
}  // namespace scalebench::analysis
