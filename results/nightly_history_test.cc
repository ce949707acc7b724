#include "results/nightly_history.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "results/test_trials.h"

namespace scalebench::results {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using testing::Trial;

// Night `n` (from 0): instances 1 at `one` and instances 2 at `two`, three
// repetitions each with a spread of +-1; the configuration indexes swap
// every other night, as a spec that lists the factor in another order
// would.
NightlyRun Night(int n, double one, double two) {
  NightlyRun run;
  run.experiment = absl::StrCat("experiments/exp-", n);
  run.night = absl::FromUnixSeconds(1'800'000'000) + n * absl::Hours(24);
  const std::string id = absl::StrCat("exp-", n);
  const uint32_t index_one = n % 2;
  uint32_t number = 0;
  for (double delta : {-1.0, 0.0, 1.0}) {
    run.trials.push_back(Trial(id, number++, index_one, 1, one + delta));
    run.trials.push_back(Trial(id, number++, 1 - index_one, 2, two + delta));
  }
  return run;
}

TEST(NightlyHistoryTest, FindsTheNightAShiftBeganPerConfiguration) {
  std::vector<NightlyRun> runs;
  for (int n = 0; n < 12; ++n) {
    // Instances 2 drops by 20% from night 7 on; instances 1 stays.
    runs.push_back(Night(n, 1000 + (n % 3), n < 7 ? 2000 + (n % 2) : 1600));
  }
  // Any order in, night order out.
  std::swap(runs[0], runs[5]);
  absl::StatusOr<std::vector<ConfigurationHistory>> history =
      BuildNightlyHistory(runs, "requests_per_s");
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_THAT(*history, SizeIs(2));
  const ConfigurationHistory& one = (*history)[0];
  const ConfigurationHistory& two = (*history)[1];
  EXPECT_EQ(one.configuration.instances(), 1u);
  EXPECT_EQ(two.configuration.instances(), 2u);
  ASSERT_THAT(one.points, SizeIs(12));
  ASSERT_THAT(two.points, SizeIs(12));
  EXPECT_EQ(two.points[0].experiment, "experiments/exp-0");
  EXPECT_EQ(two.points[0].n, 3);
  EXPECT_EQ(two.points[0].median, 2000);  // The middle of 1999, 2000, 2001.
  EXPECT_EQ(two.points[11].median, 1600);

  EXPECT_THAT(one.change_points, SizeIs(0));
  ASSERT_THAT(two.change_points, SizeIs(1));
  EXPECT_EQ(two.change_points[0].index, 7);
  EXPECT_EQ(two.points[7].experiment, "experiments/exp-7");
  ASSERT_TRUE(two.change_points[0].change.has_value());
  EXPECT_NEAR(*two.change_points[0].change, -0.2, 0.001);
}

TEST(NightlyHistoryTest, AConfigurationMeasuredOnSomeNightsHasOnlyThose) {
  std::vector<NightlyRun> runs = {Night(0, 1000, 2000), Night(1, 1000, 2000)};
  runs[1].trials.erase(runs[1].trials.begin() + 1);  // Drop instances 2...
  runs[1].trials.erase(runs[1].trials.begin() + 2);
  runs[1].trials.erase(runs[1].trials.begin() + 3);  // ...all three runs.
  absl::StatusOr<std::vector<ConfigurationHistory>> history =
      BuildNightlyHistory(runs, "requests_per_s");
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_THAT(*history, SizeIs(2));
  EXPECT_THAT((*history)[0].points, SizeIs(2));
  EXPECT_THAT((*history)[1].points, SizeIs(1));
}

TEST(NightlyHistoryTest, ErrorsNameTheExperimentAndTheMetric) {
  std::vector<NightlyRun> runs = {Night(0, 1000, 2000)};
  absl::StatusOr<std::vector<ConfigurationHistory>> history =
      BuildNightlyHistory(runs, "speed");
  EXPECT_EQ(history.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(history.status().message(), HasSubstr("metric: 'speed'"));

  runs[0].trials[3].mutable_merged()->mutable_latency()->set_sub_bucket_bits(3);
  history = BuildNightlyHistory(runs, "requests_per_s");
  EXPECT_THAT(history.status().message(),
              HasSubstr("experiments/exp-0: trials[3]: merged.latency"));

  analysis::ChangePointOptions bad;
  bad.min_segment = 1;
  history = BuildNightlyHistory({Night(0, 1000, 2000)}, "requests_per_s", bad);
  EXPECT_THAT(history.status().message(), HasSubstr("min_segment"));
}

}  // namespace
}  // namespace scalebench::results
