#include "results/repetitions.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::results {
namespace {

using ::testing::HasSubstr;

v1::TrialResult Trial(uint32_t number, uint32_t configuration, double rate) {
  v1::TrialResult t;
  t.mutable_key()->set_trial(
      absl::StrCat("experiments/exp-000001/trials/", number));
  t.mutable_configuration()->set_index(configuration);
  t.mutable_configuration()->set_instances(configuration + 1);
  t.mutable_merged()->mutable_latency()->set_sub_bucket_bits(7);
  t.set_requests_per_s(rate);
  t.set_transfer_kb_per_s(rate / 10);
  return t;
}

v1::RepetitionPolicy::Adaptive Policy(double halfwidth, uint32_t max) {
  v1::RepetitionPolicy::Adaptive policy;
  policy.set_ci_halfwidth(halfwidth);
  policy.set_max(max);
  return policy;
}

analysis::RepetitionSummary Summary(std::vector<double> runs) {
  absl::StatusOr<analysis::RepetitionSummary> s =
      analysis::SummarizeRepetitions(runs);
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

TEST(SummarizeByConfigurationTest, GroupsByConfigurationInIndexOrder) {
  std::vector<v1::TrialResult> trials;
  // Configuration 1: 100..105 (six runs, interval [100, 105]);
  // configuration 0: 7, 9, 8 (three runs, no interval).
  uint32_t number = 0;
  for (double rate : {103, 100, 105, 101, 104, 102}) {
    trials.push_back(Trial(number++, 1, rate));
  }
  for (double rate : {7, 9, 8}) trials.push_back(Trial(number++, 0, rate));
  absl::StatusOr<std::vector<ConfigurationSummary>> summaries =
      SummarizeByConfiguration(trials);
  ASSERT_TRUE(summaries.ok()) << summaries.status();
  ASSERT_EQ(summaries->size(), 2u);
  EXPECT_EQ((*summaries)[0].configuration.index(), 0u);
  EXPECT_EQ((*summaries)[0].configuration.instances(), 1u);
  EXPECT_EQ((*summaries)[0].n, 3);
  EXPECT_EQ((*summaries)[0].summary.median, 8);
  EXPECT_FALSE((*summaries)[0].summary.median_ci.has_value());
  EXPECT_EQ((*summaries)[1].n, 6);
  EXPECT_EQ((*summaries)[1].summary.median, 102.5);
  ASSERT_TRUE((*summaries)[1].summary.median_ci.has_value());
  EXPECT_EQ((*summaries)[1].summary.median_ci->interval.low, 100);
  EXPECT_EQ((*summaries)[1].summary.median_ci->interval.high, 105);

  absl::StatusOr<std::vector<ConfigurationSummary>> transfer =
      SummarizeByConfiguration(trials, "transfer_kb_per_s");
  ASSERT_TRUE(transfer.ok()) << transfer.status();
  EXPECT_DOUBLE_EQ((*transfer)[0].summary.median, 0.8);
}

TEST(SummarizeByConfigurationTest, RefusesAnUnknownMetric) {
  absl::StatusOr<std::vector<ConfigurationSummary>> summaries =
      SummarizeByConfiguration({Trial(0, 0, 1)}, "instances");
  EXPECT_EQ(summaries.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(summaries.status().message(),
              HasSubstr("metric: 'instances' is not one of"));
}

// 100..105: median 102.5, interval [100, 105], half-width 2.5. With 2.5%
// the allowed half-width is 2.5625: enough. With 2.4% it is 2.46: not;
// RunsForHalfWidth gives ceil(pi/2 (1.96 x 1.8708 / 2.46)^2) = 4, raised
// to the minimum 6, so one more is suggested.
TEST(DecideAdaptiveTest, EnoughOnlyWhenTheIntervalIsNarrowEnough) {
  const analysis::RepetitionSummary s = Summary({100, 101, 102, 103, 104, 105});
  absl::StatusOr<AdaptiveDecision> wide = DecideAdaptive(Policy(0.025, 30), s);
  ASSERT_TRUE(wide.ok()) << wide.status();
  EXPECT_TRUE(wide->enough);
  EXPECT_EQ(wide->more, 0);

  absl::StatusOr<AdaptiveDecision> narrow =
      DecideAdaptive(Policy(0.024, 30), s);
  ASSERT_TRUE(narrow.ok()) << narrow.status();
  EXPECT_FALSE(narrow->enough);
  EXPECT_EQ(narrow->more, 1);
}

// 100..104, 110: median 102.5, interval [100, 110], half-width 5 > 3.075
// (3%). s = 3.5590, so RunsForHalfWidth = ceil(pi/2 (1.96 x 3.559 /
// 3.075)^2) = ceil(8.08) = 9: three more, or two when max is 8.
TEST(DecideAdaptiveTest, SuggestsMoreRunsCappedAtMax) {
  const analysis::RepetitionSummary s = Summary({100, 101, 102, 103, 104, 110});
  absl::StatusOr<AdaptiveDecision> more = DecideAdaptive(Policy(0.03, 30), s);
  ASSERT_TRUE(more.ok()) << more.status();
  EXPECT_FALSE(more->enough);
  EXPECT_EQ(more->more, 3);
  EXPECT_THAT(more->reason, HasSubstr("wider than"));

  absl::StatusOr<AdaptiveDecision> capped = DecideAdaptive(Policy(0.03, 8), s);
  ASSERT_TRUE(capped.ok()) << capped.status();
  EXPECT_EQ(capped->more, 2);

  absl::StatusOr<AdaptiveDecision> at_max = DecideAdaptive(Policy(0.03, 6), s);
  ASSERT_TRUE(at_max.ok()) << at_max.status();
  EXPECT_TRUE(at_max->enough);
}

// Three tight runs are below the minimum (default 6; here also 8).
TEST(DecideAdaptiveTest, NeverEnoughBelowTheMinimum) {
  const analysis::RepetitionSummary s = Summary({100, 100.1, 100.2});
  absl::StatusOr<AdaptiveDecision> d = DecideAdaptive(Policy(0.5, 30), s);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_FALSE(d->enough);
  EXPECT_EQ(d->more, 3);

  v1::RepetitionPolicy::Adaptive policy = Policy(0.5, 30);
  policy.set_min(8);
  d = DecideAdaptive(policy, s);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->more, 5);
  EXPECT_THAT(d->reason, HasSubstr("fewer than the minimum of 8"));
}

TEST(DecideAdaptiveTest, RefusesAnInvalidPolicyNamingTheField) {
  const analysis::RepetitionSummary s = Summary({1, 2});
  EXPECT_THAT(DecideAdaptive(Policy(0, 30), s).status().message(),
              HasSubstr("ci_halfwidth: "));
  EXPECT_THAT(DecideAdaptive(Policy(0.03, 3), s).status().message(),
              HasSubstr("max: 3 is not at least min (6)"));
}

}  // namespace
}  // namespace scalebench::results
