#include "analysis/relative_change.h"

#include <cmath>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "analysis/comparison.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

using ::testing::HasSubstr;

// Reference values from numpy over the 36 pairwise ratios; the rank from
// the exact null distribution of U for 6 and 6 (P(U <= 5) = 19/924 <=
// 0.025 < P(U <= 6) = 30/924), so k = 6 and the coverage 1 - 38/924.
TEST(RelativeChangeTest, HodgesLehmannWithMosesIntervalBySixAndSix) {
  const std::vector<double> baseline = {100, 104, 97, 101, 99, 103};
  const std::vector<double> contender = {92, 95, 90, 94, 91, 96};
  absl::StatusOr<RelativeChange> r = RelativeChangeOf(baseline, contender);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->estimate, -0.07729656547693652, 1e-12);
  EXPECT_TRUE(r->exact);
  EXPECT_EQ(r->rank, 6);
  EXPECT_NEAR(r->coverage, 1 - 38.0 / 924, 1e-12);
  ASSERT_TRUE(r->ci.has_value());
  EXPECT_NEAR(r->ci->low, -0.1089108910891089, 1e-12);
  EXPECT_NEAR(r->ci->high, -0.04040404040404044, 1e-12);
}

// Every pairwise log ratio of b_j / b_i has a partner of the opposite
// sign, so their median is 0 and scaling the contender by 0.8 gives -20%.
TEST(RelativeChangeTest, ScaledCopyIsExactlyThatChange) {
  const std::vector<double> baseline = {100, 110, 120, 130, 140, 150, 160};
  std::vector<double> contender;
  for (double v : baseline) contender.push_back(0.8 * v);
  absl::StatusOr<RelativeChange> r = RelativeChangeOf(baseline, contender);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->estimate, -0.2, 1e-12);
  ASSERT_TRUE(r->ci.has_value());
  EXPECT_TRUE(r->ci->Contains(-0.2));
  EXPECT_LT(r->ci->low, -0.2);
}

TEST(RelativeChangeTest, ThreeAndThreeRunsHaveNoInterval) {
  absl::StatusOr<RelativeChange> r =
      RelativeChangeOf({100, 101, 102}, {90, 91, 92});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ci.has_value());
  EXPECT_EQ(r->coverage, 0);
  EXPECT_EQ(r->rank, 0);
  EXPECT_LT(r->estimate, -0.08);
}

// Random pairs of lognormal samples for the inversion checks below: round
// r has m[0] + r % m[1] baseline and n[0] + r % n[1] contender runs, the
// contender shifted by 1 + shift_step (r % shift_spread). `exact`: whether the
// samples are small enough for the exact distribution.
struct InversionRounds {
  unsigned seed;
  int rounds;
  int m[2];
  int n[2];
  double shift_step;
  int shift_spread;
  bool exact;
};

// Checks, round by round, that zero lies outside the interval exactly when
// the two-sided p is at most 0.05; returns how many rounds rejected.
int CheckIntervalInvertsTheTest(const InversionRounds& c) {
  std::mt19937 rng(c.seed);
  std::lognormal_distribution<double> noise(0, 0.05);
  int rejected = 0;
  for (int round = 0; round < c.rounds; ++round) {
    const int m = c.m[0] + round % c.m[1];
    const int n = c.n[0] + round % c.n[1];
    const double shift = 1 + c.shift_step * (round % c.shift_spread);
    std::vector<double> a, b;
    for (int i = 0; i < m; ++i) a.push_back(1000 * noise(rng));
    for (int i = 0; i < n; ++i) b.push_back(1000 * shift * noise(rng));
    absl::StatusOr<RelativeChange> r = RelativeChangeOf(a, b);
    absl::StatusOr<MannWhitneyResult> test = MannWhitneyU(b, a);
    EXPECT_TRUE(r.ok() && test.ok());
    if (!r.ok() || !test.ok()) return rejected;
    EXPECT_EQ(r->exact, c.exact);
    EXPECT_EQ(test->exact, c.exact);
    EXPECT_TRUE(r->ci.has_value()) << m << " and " << n;
    if (!r->ci.has_value()) return rejected;
    if (c.exact) {
      EXPECT_GE(r->coverage, 0.95);
    }
    const bool rejects = test->p_value <= 0.05;
    rejected += rejects ? 1 : 0;
    EXPECT_EQ(!r->ci->Contains(0), rejects)
        << "round " << round << " p " << test->p_value << " [" << r->ci->low
        << ", " << r->ci->high << "]";
  }
  return rejected;
}

// The interval inverts the test: zero lies outside it exactly when the
// exact two-sided p is at most 0.05, over many random pairs of samples.
TEST(RelativeChangeTest, IntervalExcludesZeroExactlyWhenTheTestRejects) {
  const int rejected = CheckIntervalInvertsTheTest(
      {/*seed=*/12, /*rounds=*/300, /*m=*/{5, 6}, /*n=*/{6, 5},
       /*shift_step=*/0.01, /*shift_spread=*/7, /*exact=*/true});
  // Both outcomes occurred, so the equivalence was tested both ways.
  EXPECT_GT(rejected, 20);
  EXPECT_LT(rejected, 280);
}

// The same holds in the normal approximation (samples above
// kMaxExactSampleSize, no ties): k and p use the same variance and
// continuity correction.
TEST(RelativeChangeTest, LargeSampleIntervalAlsoInvertsTheTest) {
  const int rejected = CheckIntervalInvertsTheTest(
      {/*seed=*/5, /*rounds=*/100, /*m=*/{26, 9}, /*n=*/{30, 7},
       /*shift_step=*/0.005, /*shift_spread=*/6, /*exact=*/false});
  EXPECT_GT(rejected, 10);
  EXPECT_LT(rejected, 90);
}

// 30 and 30 runs: the normal approximation, k = floor(450 + 1/2 - z sd)
// with sd = sqrt(900 x 61 / 12) = 67.6387...: 317.
TEST(RelativeChangeTest, LargeSamplesUseTheNormalApproximation) {
  std::vector<double> a, b;
  for (int i = 0; i < 30; ++i) {
    a.push_back(1000 + i);
    b.push_back(1100 + i + 0.5);
  }
  absl::StatusOr<RelativeChange> r = RelativeChangeOf(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->exact);
  EXPECT_EQ(r->rank, 317);
  // 1 - 2 Phi((317 - 1/2 - 450) / sd), from scipy.
  EXPECT_NEAR(r->coverage, 0.9515865005351863, 1e-9);
  ASSERT_TRUE(r->ci.has_value());
  EXPECT_TRUE(r->ci->Contains(r->estimate));
  EXPECT_NEAR(r->estimate, 100.5 / 1014.5, 0.002);
}

TEST(RelativeChangeTest, TiedValuesUseTheNormalApproximation) {
  absl::StatusOr<RelativeChange> r = RelativeChangeOf(
      {10, 10, 11, 12, 12, 13, 14}, {12, 13, 13, 14, 15, 15, 16});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->exact);
  EXPECT_GT(r->estimate, 0);
}

TEST(RelativeChangeTest, RefusesValuesThatAreNotPositive) {
  absl::StatusOr<RelativeChange> r = RelativeChangeOf({1, 0, 2}, {1, 2});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("baseline: value 2 is 0"));
  r = RelativeChangeOf({1, 2}, {1, -3});
  EXPECT_THAT(r.status().message(), HasSubstr("contender: value 2 is -3"));
  r = RelativeChangeOf({1, 2}, {NAN});
  EXPECT_THAT(r.status().message(), HasSubstr("contender: value 1"));
  r = RelativeChangeOf({}, {1});
  EXPECT_THAT(r.status().message(), HasSubstr("baseline: no values"));
}

TEST(RelativeChangeTest, SmallestPValues) {
  EXPECT_DOUBLE_EQ(SmallestMannWhitneyP(3, 3), 2.0 / 20);
  EXPECT_DOUBLE_EQ(SmallestMannWhitneyP(4, 4), 2.0 / 70);
  EXPECT_DOUBLE_EQ(SmallestMannWhitneyP(6, 6), 2.0 / 924);
  EXPECT_DOUBLE_EQ(SmallestMannWhitneyP(1, 1), 1);
  EXPECT_LT(SmallestMannWhitneyP(30, 30), 1e-9);
  EXPECT_EQ(RunsForSignificance(0.05), 4);
  // 2 / C(8, 4) = 0.029 > 0.05 / 3; 2 / C(10, 5) = 0.0079.
  EXPECT_EQ(RunsForSignificance(0.05 / 3), 5);
}

}  // namespace
}  // namespace scalebench::analysis
