#include "coordinator/trials/trial_order.h"

#include <set>
#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace scalebench::coordinator {
namespace {

TEST(PlanTrialsTest, SequentialKeepsRepetitionsTogether) {
  const std::vector<TrialPlan> plan =
      PlanTrials(2, 3, v1::TRIAL_ORDER_SEQUENTIAL, 0).value();
  ASSERT_EQ(plan.size(), 6u);
  const std::pair<uint32_t, uint32_t> expected[] = {{0, 0}, {0, 1}, {0, 2},
                                                    {1, 0}, {1, 1}, {1, 2}};
  for (size_t i = 0; i < plan.size(); ++i) {
    EXPECT_EQ(plan[i].configuration_index, expected[i].first) << i;
    EXPECT_EQ(plan[i].repetition, expected[i].second) << i;
  }
}

// Every round is a permutation of the configurations, rounds in order, and
// each (configuration, repetition) appears exactly once.
TEST(PlanTrialsTest, RandomizedRoundsArePermutations) {
  const uint32_t configurations = 7;
  const std::vector<TrialPlan> plan =
      PlanTrials(configurations, 4, v1::TRIAL_ORDER_RANDOMIZED, 42).value();
  ASSERT_EQ(plan.size(), 28u);
  std::set<std::pair<uint32_t, uint32_t>> seen;
  for (size_t i = 0; i < plan.size(); ++i) {
    EXPECT_EQ(plan[i].repetition, i / configurations);
    EXPECT_LT(plan[i].configuration_index, configurations);
    seen.insert({plan[i].configuration_index, plan[i].repetition});
  }
  EXPECT_EQ(seen.size(), 28u);
}

TEST(PlanTrialsTest, TheSeedAloneDecidesTheOrder) {
  auto order = [](uint64_t seed) {
    std::vector<uint32_t> out;
    const std::vector<TrialPlan> plan =
        PlanTrials(12, 3, v1::TRIAL_ORDER_RANDOMIZED, seed).value();
    for (const TrialPlan& t : plan) {
      out.push_back(t.configuration_index);
    }
    return out;
  };
  EXPECT_EQ(order(7), order(7));
  EXPECT_NE(order(7), order(8));
  // Rounds are shuffled independently: round 1 is not a copy of round 0.
  const std::vector<uint32_t> o = order(7);
  EXPECT_NE(std::vector<uint32_t>(o.begin(), o.begin() + 12),
            std::vector<uint32_t>(o.begin() + 12, o.begin() + 24));
}

// Issue 25: 10,000 configurations x 4294967295 repetitions reached
// plan.reserve and threw std::bad_alloc.
TEST(PlanTrialsTest, RefusesMoreTrialsThanAnExperimentMayHave) {
  const absl::StatusOr<std::vector<TrialPlan>> huge =
      PlanTrials(10000, 4294967295u, v1::TRIAL_ORDER_RANDOMIZED, 1);
  EXPECT_EQ(huge.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(huge.status().message().find("42949672950000 trials"),
            std::string::npos)
      << huge.status();
  EXPECT_EQ(PlanTrials(1, 10001, v1::TRIAL_ORDER_SEQUENTIAL, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanTrials(100, 100, v1::TRIAL_ORDER_SEQUENTIAL, 1)->size(),
            10000u);
}

}  // namespace
}  // namespace scalebench::coordinator
