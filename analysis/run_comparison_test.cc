#include "analysis/run_comparison.h"

#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

using ::testing::HasSubstr;

// Six runs each, completely separated: exact p = 2 / 924.
ConfigurationSamples Slower() {
  return {{100, 104, 97, 101, 99, 103}, {92, 95, 90, 94, 91, 96}};
}
// Interleaved runs: U = 15 of 36; scipy's exact p 0.6991341991341992.
ConfigurationSamples Same() {
  return {{100, 102, 98, 101, 99, 103}, {100.5, 98.5, 101.5, 99.5, 102.5, 97}};
}

TEST(RunComparisonTest, VerdictNamesAreTheSharedVocabulary) {
  EXPECT_EQ(VerdictName(Verdict::kNoChange), "no_change");
  EXPECT_EQ(VerdictName(Verdict::kImprovement), "improvement");
  EXPECT_EQ(VerdictName(Verdict::kRegression), "regression");
}

TEST(RunComparisonTest, LowerThroughputIsARegressionAfterHolm) {
  const std::vector<ConfigurationSamples> family = {Slower(), Same()};
  absl::StatusOr<RunComparison> r = CompareRuns(family, {});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->configurations.size(), 2u);
  const ConfigurationComparison& slower = r->configurations[0];
  EXPECT_NEAR(slower.test.p_value, 2.0 / 924, 1e-12);
  // Holm: the smaller p doubled, the larger kept (and at least that).
  EXPECT_NEAR(slower.holm_p, 4.0 / 924, 1e-12);
  EXPECT_EQ(slower.test.probability_of_superiority, 0);
  EXPECT_EQ(slower.test.rank_biserial, -1);
  EXPECT_EQ(slower.baseline.median, 100.5);
  EXPECT_EQ(slower.contender.median, 93);
  EXPECT_LT(slower.change.estimate, -0.07);
  EXPECT_EQ(slower.verdict, Verdict::kRegression);
  EXPECT_TRUE(slower.can_be_significant);
  const ConfigurationComparison& same = r->configurations[1];
  EXPECT_NEAR(same.test.p_value, 0.6991341991341992, 1e-12);
  EXPECT_NEAR(same.holm_p, 0.6991341991341992, 1e-12);
  EXPECT_EQ(same.verdict, Verdict::kNoChange);
  // alpha / 2 = 0.025 < 2 / C(8, 4): five runs each.
  EXPECT_EQ(r->runs_for_significance, 5);
}

TEST(RunComparisonTest, LowerLatencyIsAnImprovement) {
  RunComparisonOptions options;
  options.higher_is_better = false;
  const std::vector<ConfigurationSamples> family = {Slower()};
  absl::StatusOr<RunComparison> r = CompareRuns(family, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->configurations[0].verdict, Verdict::kImprovement);
  const std::vector<ConfigurationSamples> swapped = {
      {Slower().contender, Slower().baseline}};
  r = CompareRuns(swapped, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->configurations[0].verdict, Verdict::kRegression);
}

// Completely separated (p = 0.002) but only about 2% lower: within a 3%
// threshold it is no change; with a 1% threshold a regression.
TEST(RunComparisonTest, SignificantButSmallerThanTheThresholdIsNoChange) {
  const std::vector<ConfigurationSamples> family = {
      {{100, 100.4, 100.8, 101.2, 101.6, 102},
       {98, 98.4, 98.8, 99.2, 99.6, 99.9}}};
  absl::StatusOr<RunComparison> r = CompareRuns(family, {});
  ASSERT_TRUE(r.ok());
  const ConfigurationComparison& c = r->configurations[0];
  EXPECT_LT(c.holm_p, 0.01);
  EXPECT_GT(c.change.estimate, -0.03);
  EXPECT_EQ(c.verdict, Verdict::kNoChange);
  RunComparisonOptions tight;
  tight.threshold = 0.01;
  r = CompareRuns(family, tight);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->configurations[0].verdict, Verdict::kRegression);
}

// With 3 and 3 runs even complete separation gives p = 0.1: never
// significant, no interval, and four runs each would be needed.
TEST(RunComparisonTest, ThreeAndThreeRunsCannotBeSignificant) {
  const std::vector<ConfigurationSamples> family = {
      {{100, 101, 102}, {50, 51, 52}}};
  absl::StatusOr<RunComparison> r = CompareRuns(family, {});
  ASSERT_TRUE(r.ok());
  const ConfigurationComparison& c = r->configurations[0];
  EXPECT_FALSE(c.can_be_significant);
  EXPECT_DOUBLE_EQ(c.smallest_p, 0.1);
  EXPECT_FALSE(c.change.ci.has_value());
  EXPECT_EQ(c.verdict, Verdict::kNoChange);
  EXPECT_EQ(r->runs_for_significance, 4);
}

TEST(RunComparisonTest, RefusesBadOptionsAndValues) {
  const std::vector<ConfigurationSamples> family = {Same(), {{1, 2}, {1, 0}}};
  absl::StatusOr<RunComparison> r = CompareRuns(family, {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("configuration 2: contender: value 2 is 0"));
  RunComparisonOptions options;
  options.threshold = -0.1;
  EXPECT_THAT(CompareRuns({}, options).status().message(),
              HasSubstr("threshold"));
  options = {};
  options.alpha = 1;
  EXPECT_THAT(CompareRuns({}, options).status().message(), HasSubstr("alpha"));
}

}  // namespace
}  // namespace scalebench::analysis
