#include "results/compare_runs.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "results/test_trials.h"

namespace scalebench::results {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Trial;

// `rates[i]` for instances = `instances[i % instances.size()]`, the
// configuration index being the position in `instances`.
std::vector<v1::TrialResult> Experiment(const std::string& id,
                                        const std::vector<uint32_t>& instances,
                                        const std::vector<double>& rates) {
  std::vector<v1::TrialResult> trials;
  for (size_t i = 0; i < rates.size(); ++i) {
    const uint32_t index = static_cast<uint32_t>(i % instances.size());
    trials.push_back(
        Trial(id, static_cast<uint32_t>(i), index, instances[index], rates[i]));
  }
  return trials;
}

// The baseline sweeps instances [1, 2], the contender [2, 1, 4]: the
// configurations match by factors although their indexes differ;
// instances 2 is 10% slower in the contender, instances 1 the same.
TEST(CompareRunsTest, MatchesConfigurationsByFactorsNotIndex) {
  const std::vector<v1::TrialResult> baseline = Experiment(
      "exp-000001", {1, 2},
      {1000, 2000, 1010, 2020, 990, 1980, 1005, 2010, 995, 1990, 1002, 2004});
  const std::vector<v1::TrialResult> contender =
      Experiment("exp-000002", {2, 1, 4},
                 {1800, 1003, 3000, 1818, 993, 3010, 1782, 1008, 2990, 1809,
                  997, 3005, 1791, 1001, 2995, 1806, 1009, 3001});
  absl::StatusOr<RunsComparison> r = CompareTrialResults(baseline, contender);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metric, "requests_per_s");
  EXPECT_TRUE(r->higher_is_better);
  ASSERT_EQ(r->configurations.size(), 2u);
  const ComparedConfiguration& one = r->configurations[0];
  EXPECT_EQ(one.configuration.instances(), 1u);
  EXPECT_EQ(one.factors[1], "1");
  EXPECT_EQ(one.comparison.baseline.n, 6);
  EXPECT_EQ(one.comparison.contender.n, 6);
  EXPECT_EQ(one.comparison.baseline.median, 1001);
  EXPECT_EQ(one.comparison.verdict, analysis::Verdict::kNoChange);
  const ComparedConfiguration& two = r->configurations[1];
  EXPECT_EQ(two.configuration.instances(), 2u);
  EXPECT_EQ(two.comparison.baseline.median, 2002);
  EXPECT_EQ(two.comparison.contender.median, 1803);
  EXPECT_NEAR(two.comparison.change.estimate, -0.1, 0.01);
  EXPECT_EQ(two.comparison.verdict, analysis::Verdict::kRegression);
  EXPECT_EQ(r->regressions, 1);
  EXPECT_EQ(r->improvements, 0);
  EXPECT_EQ(r->unchanged, 1);
  EXPECT_TRUE(r->only_baseline.empty());
  ASSERT_EQ(r->only_contender.size(), 1u);
  EXPECT_EQ(r->only_contender[0].configuration.instances(), 4u);
  EXPECT_EQ(r->only_contender[0].n, 6);
  EXPECT_EQ(r->runs_for_significance, 5);
}

TEST(CompareRunsTest, AnotherMetricTakesItsSense) {
  const std::vector<v1::TrialResult> a =
      Experiment("exp-000001", {1}, {100, 101, 102, 103});
  CompareOptions options;
  options.metric = "latency_p50_us";
  absl::StatusOr<RunsComparison> r = CompareTrialResults(a, a, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->higher_is_better);
  ASSERT_EQ(r->configurations.size(), 1u);
  EXPECT_EQ(r->configurations[0].comparison.baseline.median, 0.1);
}

TEST(CompareRunsTest, NothingInCommonIsAnEmptyComparison) {
  absl::StatusOr<RunsComparison> r =
      CompareTrialResults(Experiment("exp-000001", {1}, {100, 101}),
                          Experiment("exp-000002", {2}, {100, 101}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->configurations.empty());
  EXPECT_EQ(r->runs_for_significance, 0);
  EXPECT_EQ(r->only_baseline.size(), 1u);
  EXPECT_EQ(r->only_contender.size(), 1u);
}

TEST(CompareRunsTest, RefusesMetricsThatAreNotPositive) {
  const std::vector<v1::TrialResult> a =
      Experiment("exp-000001", {1}, {100, 101});
  CompareOptions options;
  options.metric = "errors";
  absl::StatusOr<RunsComparison> r = CompareTrialResults(a, a, options);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(),
              HasSubstr("baseline trials[0] (exp-000001/0): errors is '0'"));
  options.metric = "speed";
  r = CompareTrialResults(a, a, options);
  EXPECT_THAT(r.status().message(), HasSubstr("metric: 'speed'"));
  std::vector<v1::TrialResult> bad = a;
  bad[1].set_requests_per_s(-1);
  r = CompareTrialResults(a, bad);
  EXPECT_THAT(r.status().message(),
              HasSubstr("contender trials[1] (exp-000001/1): requests_per_s "
                        "is '-1'"));
}

}  // namespace
}  // namespace scalebench::results
