#include "analysis/repetition_stats.h"

#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

TEST(RepetitionStatsTest, SixRunsGiveTheFullRangeAsTheMedianInterval) {
  const std::vector<double> runs = {30, 10, 60, 20, 50, 40};
  absl::StatusOr<RepetitionSummary> s = SummarizeRepetitions(runs);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->n, 6);
  EXPECT_DOUBLE_EQ(s->median, 35);
  ASSERT_TRUE(s->median_ci.has_value());
  EXPECT_EQ(s->median_ci->lower_rank, 1);
  EXPECT_EQ(s->median_ci->upper_rank, 6);
  EXPECT_DOUBLE_EQ(s->median_ci->interval.low, 10);
  EXPECT_DOUBLE_EQ(s->median_ci->interval.high, 60);
  EXPECT_DOUBLE_EQ(s->median_ci->coverage, 1 - 2.0 / 64);
  EXPECT_DOUBLE_EQ(s->mean, 35);
  // Sum of squared deviations 2 (25^2 + 15^2 + 5^2) = 1750.
  EXPECT_DOUBLE_EQ(*s->stdev, std::sqrt(1750.0 / 5));
  EXPECT_DOUBLE_EQ(*s->cv, std::sqrt(350.0) / 35);
  EXPECT_DOUBLE_EQ(*s->harmonic_mean, 6 / (1 / 10.0 + 1 / 20.0 + 1 / 30.0 +
                                           1 / 40.0 + 1 / 50.0 + 1 / 60.0));
}

TEST(RepetitionStatsTest, TenRunsUseTheSecondOrderStatistics) {
  // For n = 10, P(B <= 1) = 11/1024 <= 0.025 < P(B <= 2) = 56/1024, so the
  // interval is [x(2), x(9)] with coverage 1 - 22/1024 (the textbook table).
  std::vector<double> runs;
  for (int i = 1; i <= 10; ++i) runs.push_back(i);
  absl::StatusOr<RepetitionSummary> s = SummarizeRepetitions(runs);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->median_ci.has_value());
  EXPECT_EQ(s->median_ci->lower_rank, 2);
  EXPECT_EQ(s->median_ci->upper_rank, 9);
  EXPECT_DOUBLE_EQ(s->median_ci->interval.low, 2);
  EXPECT_DOUBLE_EQ(s->median_ci->interval.high, 9);
  EXPECT_NEAR(s->median_ci->coverage, 1 - 22.0 / 1024, 1e-14);
  EXPECT_DOUBLE_EQ(s->median, 5.5);
}

TEST(RepetitionStatsTest, FewRunsHaveNoMedianInterval) {
  absl::StatusOr<RepetitionSummary> s = SummarizeRepetitions({3, 1, 2, 5, 4});
  ASSERT_TRUE(s.ok());
  EXPECT_DOUBLE_EQ(s->median, 3);
  EXPECT_FALSE(s->median_ci.has_value());
  absl::StatusOr<RepetitionSummary> one = SummarizeRepetitions({7});
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->stdev.has_value());
  EXPECT_FALSE(one->cv.has_value());
}

TEST(RepetitionStatsTest, HarmonicMeanNeedsPositiveRuns) {
  absl::StatusOr<RepetitionSummary> s = SummarizeRepetitions({-1, 2, 3});
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->harmonic_mean.has_value());
}

TEST(RepetitionStatsTest, InvalidRunsAreRejected) {
  EXPECT_EQ(SummarizeRepetitions({}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SummarizeRepetitions({1, NAN}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RunsForHalfWidthTest, FollowsTheMedianVarianceFormula) {
  // Median 100, s = 10: for a 3% half-width, n = ceil(pi/2 (1.96 * 10 / 3)^2)
  // = ceil(67.05...) = 68.
  RepetitionSummary s;
  s.n = 5;
  s.median = 100;
  s.stdev = 10;
  absl::StatusOr<int> runs = RunsForHalfWidth(s, 0.03);
  ASSERT_TRUE(runs.ok());
  const double z = 1.959963984540054;
  EXPECT_EQ(*runs, static_cast<int>(std::ceil(3.14159265358979323846 / 2 *
                                              std::pow(z * 10 / 3, 2))));
  EXPECT_EQ(*runs, 68);
  // A loose target still asks for the minimum of six.
  EXPECT_EQ(*RunsForHalfWidth(s, 0.5), kMinRunsForMedianInterval);
  s.stdev.reset();
  EXPECT_EQ(RunsForHalfWidth(s, 0.03).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace scalebench::analysis
