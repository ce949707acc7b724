#include "analysis/comparison.h"

#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

double RelativeError(double actual, double expected) {
  return std::fabs(actual - expected) / std::fabs(expected);
}

// Worked by hand: only 2.0 of b lies below values of a, four times, so
// U = 4. With m = 5, n = 6 there are C(11, 5) = 462 arrangements, of which
// 1 + 1 + 2 + 3 + 5 = 12 have U <= 4 (partitions of U into at most 5 parts
// of at most 6), so p = 2 * 12 / 462. scipy's exact method agrees.
TEST(MannWhitneyTest, ExactSmallSamplesByHand) {
  const std::vector<double> a = {1.1, 2.3, 3.5, 4.2, 5.9};
  const std::vector<double> b = {2.0, 6.1, 7.3, 8.8, 9.4, 10.2};
  absl::StatusOr<MannWhitneyResult> r = MannWhitneyU(a, b);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->exact);
  EXPECT_EQ(r->u, 4);
  EXPECT_LT(RelativeError(r->p_value, 24.0 / 462), 1e-14);
  EXPECT_DOUBLE_EQ(r->probability_of_superiority, 4.0 / 30);
  EXPECT_DOUBLE_EQ(r->rank_biserial, 2 * 4.0 / 30 - 1);
}

// Reference values from scipy.stats.mannwhitneyu (two-sided).
TEST(MannWhitneyTest, ExactMatchesScipy) {
  const std::vector<double> a = {12, 15, 11, 18, 20, 14,
                                 13, 19, 17, 16, 22, 25};
  const std::vector<double> b = {21, 23, 24, 26, 28, 27, 30,
                                 29, 31, 33, 35, 32, 34};
  absl::StatusOr<MannWhitneyResult> r = MannWhitneyU(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->exact);
  EXPECT_EQ(r->u, 4);
  EXPECT_LT(RelativeError(r->p_value, 4.615118358556237e-06), 1e-12);
}

TEST(MannWhitneyTest, TiesUseTheCorrectedNormalApproximation) {
  const std::vector<double> a = {1, 2, 2, 3, 3, 3, 4, 5};
  const std::vector<double> b = {3, 4, 4, 5, 5, 6, 7, 7, 8};
  absl::StatusOr<MannWhitneyResult> r = MannWhitneyU(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->exact);
  EXPECT_EQ(r->u, 7.5);
  EXPECT_LT(RelativeError(r->p_value, 0.006373133838085873), 1e-12);
}

TEST(MannWhitneyTest, LargeSamplesUseTheNormalApproximation) {
  const std::vector<double> a = {
      103.455842, 108.216181, 103.304371, 86.968428,  109.053559, 104.463746,
      94.630468,  105.811181, 103.645724, 102.941325, 100.284222, 105.46713,
      92.635459,  98.370901,  95.178807,  105.988462, 100.397221, 97.075432,
      92.180915,  97.428078,  100.081422, 97.243971,  112.940638, 110.067243,
      72.888375,  81.109868,  98.252279,  95.778096,  102.13643,  102.173219};
  const std::vector<double> b = {
      127.178388, 94.879792,  102.22395,  126.427716, 112.46703,  112.630634,
      100.859936, 89.519248,  107.674647, 107.090141, 93.726479,  99.167733,
      105.279563, 96.552484,  105.0173,   106.95483,  106.355862, 100.937083,
      111.937481, 114.91167,  109.208483, 97.817698,  113.316523, 100.9856,
      114.791606, 95.282126,  115.144672, 105.799365, 93.512511,  102.861005,
      106.541023, 108.727913, 96.178119,  94.92627,   107.995845, 101.332504,
      108.355056, 113.595195, 89.512126,  108.543881};
  absl::StatusOr<MannWhitneyResult> r = MannWhitneyU(a, b);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->exact);
  EXPECT_EQ(r->u, 393);
  EXPECT_LT(RelativeError(r->p_value, 0.014257709633781554), 1e-12);
  EXPECT_LT(r->probability_of_superiority, 0.5);
}

TEST(MannWhitneyTest, IdenticalSamplesShowNothing) {
  absl::StatusOr<MannWhitneyResult> r = MannWhitneyU({5, 5, 5}, {5, 5, 5, 5});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->p_value, 1);
  EXPECT_EQ(r->probability_of_superiority, 0.5);
}

TEST(MannWhitneyTest, EmptyOrNonFiniteSamplesAreRejected) {
  EXPECT_EQ(MannWhitneyU({}, {1}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MannWhitneyU({1, INFINITY}, {1}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// By hand: sorted 0.005, 0.01, 0.03, 0.04, 0.2 times 5, 4, 3, 2, 1 gives
// 0.025, 0.04, 0.09, 0.08 -> 0.09 (monotone), 0.2. statsmodels'
// multipletests(method="holm") agrees.
TEST(HolmTest, AdjustsStepDownAndKeepsInputOrder) {
  const std::vector<double> adjusted =
      HolmAdjust({0.01, 0.04, 0.03, 0.005, 0.2});
  const std::vector<double> expected = {0.04, 0.09, 0.09, 0.025, 0.2};
  ASSERT_EQ(adjusted.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(adjusted[i], expected[i], 1e-15) << i;
  }
  EXPECT_EQ(HolmAdjust({0.6, 0.7})[1], 1.0);
  EXPECT_TRUE(HolmAdjust({}).empty());
}

}  // namespace
}  // namespace scalebench::analysis
