#include "analysis/cross_host.h"

#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// One host: throughput = 1000 vCPUs + noise (+/-10).
const std::vector<double> kTrainX = {1, 1, 2, 2, 3, 3, 4, 4};
const std::vector<double> kTrainY = {1010, 990,  2005, 1995,
                                     3010, 2990, 4005, 3995};

TEST(CrossHostTest, HoldsWhenOtherHostsFollowTheLine) {
  absl::StatusOr<CrossHostResult> r =
      TestCrossHost(kTrainX, kTrainY, {6, 8, 12}, {6003, 7990, 12010});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->holds);
  EXPECT_EQ(r->outside, 0);
  ASSERT_EQ(r->predictions.size(), 3u);
  const HeldOutPrediction& p = r->predictions[0];
  EXPECT_EQ(p.x, 6);
  EXPECT_EQ(p.measured, 6003);
  EXPECT_EQ(p.predicted, r->fit.Evaluate(6));
  EXPECT_DOUBLE_EQ(*p.relative_error, (6003 - p.predicted) / 6003);
  EXPECT_TRUE(p.inside);
  EXPECT_LT(p.prediction_interval.low, 6003);
  EXPECT_THAT(r->verdict, StartsWith("holds: 3 of 3 test measurements"));
  EXPECT_THAT(r->verdict, HasSubstr("; each x adds 1,000 y (95% interval 99"));
  EXPECT_TRUE(r->predictions_hold);
  ASSERT_TRUE(r->growth.has_value());
  EXPECT_EQ(r->growth->kind, GrowthCheck::Kind::kGrows);
}

// Throughput that falls with every vCPU, on the training host and on the
// others alike: the predictions hold, but the service does not scale.
TEST(CrossHostTest, AFallingLineThatCarriesOverDoesNotScale) {
  const std::vector<double> falling = {4010, 3990, 3005, 2995,
                                       2010, 1990, 1005, 995};
  absl::StatusOr<CrossHostResult> r =
      TestCrossHost(kTrainX, falling, {5, 5}, {0, 3});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->predictions_hold);
  EXPECT_EQ(r->growth->kind, GrowthCheck::Kind::kFalls);
  EXPECT_FALSE(r->holds);
  EXPECT_THAT(r->verdict,
              StartsWith("does not scale: y does not grow with x: each one "
                         "adds -1,000 (95% interval"));
  EXPECT_THAT(r->verdict, HasSubstr("; the predictions hold: 2 of 2 test"));
}

TEST(CrossHostTest, AFlatNoisyLineShowsNoGrowth) {
  const std::vector<double> flat = {1000, 1100, 1090, 990,
                                    1010, 1080, 1050, 1040};
  absl::StatusOr<CrossHostResult> r = TestCrossHost(kTrainX, flat, {5}, {1060});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->predictions_hold);
  EXPECT_EQ(r->growth->kind, GrowthCheck::Kind::kNotShown);
  EXPECT_FALSE(r->holds);
  EXPECT_THAT(r->verdict, StartsWith("growth not shown: each x adds "));
  EXPECT_THAT(r->verdict, HasSubstr("an interval that includes zero"));
}

TEST(CrossHostTest, ACurveIsJudgedByItsRiseOverTheRangeTested) {
  const Prediction from{1, 1000, {990, 1010}, {950, 1050}};
  const Prediction rises{8, 7000, {6900, 7100}, {6800, 7200}};
  const Prediction overlaps{8, 1005, {995, 1015}, {950, 1060}};
  const Prediction falls{8, 500, {450, 550}, {400, 600}};
  EXPECT_EQ(CurveGrowth(from, rises, "n", "rps").kind,
            GrowthCheck::Kind::kGrows);
  EXPECT_EQ(CurveGrowth(from, rises, "n", "rps").words,
            "rps goes from 1,000 (95% interval 990 to 1,010) at n = 1 to 7,000 "
            "(95% interval 6,900 to 7,100) at 8");
  EXPECT_EQ(CurveGrowth(from, overlaps, "n", "rps").kind,
            GrowthCheck::Kind::kNotShown);
  EXPECT_EQ(CurveGrowth(from, falls, "n", "rps").kind,
            GrowthCheck::Kind::kFalls);
}

TEST(CrossHostTest, DoesNotHoldWhenOtherHostsFallShort) {
  // Two hosts deliver 25% less than the line through one host predicts.
  absl::StatusOr<CrossHostResult> r =
      TestCrossHost(kTrainX, kTrainY, {6, 8, 12}, {4500, 6000, 9000});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->holds);
  EXPECT_EQ(r->outside, 3);
  // P(3 misses of 3) = 0.05^3.
  EXPECT_NEAR(r->miss_probability, 1.25e-4, 1e-12);
  EXPECT_GT(r->rmse, 2000);
  EXPECT_THAT(r->verdict, StartsWith("does not hold: only 0 of 3"));
  EXPECT_THAT(r->verdict, HasSubstr("below the predictions"));
}

TEST(CrossHostTest, OneMissAmongManyStillHolds) {
  // One of six outside: P(>= 1 miss of 6) = 1 - 0.95^6 = 0.26.
  absl::StatusOr<CrossHostResult> r =
      TestCrossHost(kTrainX, kTrainY, {5, 5, 6, 6, 7, 7},
                    {5000, 5004, 6001, 5998, 7003, 9000});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outside, 1);
  EXPECT_NEAR(r->miss_probability, 1 - std::pow(0.95, 6), 1e-12);
  EXPECT_TRUE(r->holds);
  EXPECT_THAT(r->verdict, HasSubstr("1 outside is within what"));
}

TEST(CrossHostTest, BadInputsAreRejected) {
  EXPECT_THAT(TestCrossHost(kTrainX, kTrainY, {}, {}).status().message(),
              HasSubstr("no test rows"));
  EXPECT_THAT(TestCrossHost({1, 1, 1}, {1, 2, 3}, {2}, {4}).status().message(),
              HasSubstr("training rows: all x values are equal"));
}

TEST(CrossHostTest, NoRowsOrTooFewAreRefused) {
  EXPECT_THAT(TestCrossHost({}, {}, {}, {}).status().message(),
              HasSubstr("no test rows"));
  EXPECT_THAT(TestCrossHost({}, {}, {2}, {4}).status().message(),
              HasSubstr("training rows: a straight line has 2 parameters and "
                        "needs at least 3 points (one residual degree of "
                        "freedom); got 0"));
  EXPECT_THAT(TestCrossHost({1, 2}, {1, 2}, {3}, {3}).status().message(),
              HasSubstr("training rows: a straight line has 2 parameters and "
                        "needs at least 3 points"));
  EXPECT_THAT(
      TestCrossHost({1, 2, 3}, {1, 4, 9}, {4}, {16}, 2).status().message(),
      HasSubstr("training rows: a degree-2 polynomial has 3 parameters and "
                "needs at least 4 points"));
}

}  // namespace
}  // namespace scalebench::analysis
