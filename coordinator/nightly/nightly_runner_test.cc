// The nightly runner on a FakeClock over a real store: schedules fire at
// their instant, once; firings missed while the coordinator was down fold
// into one run; a firing while the previous run goes is a recorded skip;
// an ended run is judged once.
#include "coordinator/nightly/nightly_runner.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/fake_clock.h"
#include "common/proto_time.h"
#include "coordinator/store/stores_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi),
                         absl::UTCTimeZone());
}

class NightlyRunnerTest : public StoresTest {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "/nightly-XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    Reopen();
    v1::Schedule schedule = DailySchedule(SpecFromYaml(
        "name: nightly\nloadgen:\n  duration: 1s\nsweep:\n  instances: [1]\n"));
    schedule.set_webhook_url("http://127.0.0.1:9/hook");
    ASSERT_TRUE(store_->schedules().CreateSchedule(schedule).ok());
  }
  void TearDown() override { StoresTest::TearDown(); }

  // A coordinator restart: the store opened afresh on the same file.
  void Reopen() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<Stores>> store =
        Stores::Open(dir_ + "/coordinator.db", &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  std::vector<v1::ScheduleRun> Runs() {
    absl::StatusOr<std::vector<v1::ScheduleRun>> runs =
        store_->schedules().ListScheduleRuns("nightly");
    EXPECT_TRUE(runs.ok()) << runs.status();
    return runs.value_or(std::vector<v1::ScheduleRun>());
  }

  void EndExperiment(const std::string& name, v1::ExperimentState state) {
    const std::string id = name.substr(name.find('/') + 1);
    ASSERT_TRUE(store_->experiments()
                    .SetExperimentState(id, v1::EXPERIMENT_STATE_RUNNING, "")
                    .ok());
    ASSERT_TRUE(store_->experiments()
                    .SetExperimentState(id, state, "2 trials failed")
                    .ok());
  }

  FakeClock clock_{Utc(2027, 1, 1, 0)};
};

TEST_F(NightlyRunnerTest, FiresAtItsInstantAndOnlyOnce) {
  NightlyRunner runner(store_.get(), &clock_);
  clock_.Advance(absl::Hours(2) - absl::Seconds(1));
  runner.RunOnce();
  EXPECT_THAT(Runs(), SizeIs(0));

  clock_.Advance(absl::Seconds(1));  // 02:00:00.
  runner.RunOnce();
  runner.RunOnce();
  std::vector<v1::ScheduleRun> runs = Runs();
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(TimeFromProto(runs[0].night()), Utc(2027, 1, 1, 2));
  EXPECT_EQ(runs[0].missed_firings(), 0u);
  EXPECT_NE(runs[0].experiment(), "");
}

TEST_F(NightlyRunnerTest, AFiringWhileThePreviousRunGoesIsSkippedAndSaysSo) {
  NightlyRunner runner(store_.get(), &clock_);
  clock_.Advance(absl::Hours(2));
  runner.RunOnce();
  clock_.Advance(absl::Hours(24));
  runner.RunOnce();
  std::vector<v1::ScheduleRun> runs = Runs();
  ASSERT_THAT(runs, SizeIs(2));
  EXPECT_EQ(runs[0].experiment(), "");
  EXPECT_THAT(runs[0].skip_reason(), HasSubstr(runs[1].experiment()));
  EXPECT_EQ(TimeFromProto(runs[0].night()), Utc(2027, 1, 2, 2));
}

// Down from 01:00 on the 1st to 03:00 on the 4th: the nights of the 1st to
// the 4th passed; one run starts, for the latest, saying three were
// missed.
TEST_F(NightlyRunnerTest, FiringsMissedWhileDownStartOneRunOnRestart) {
  clock_.Advance(absl::Hours(1));
  {
    NightlyRunner before(store_.get(), &clock_);
    before.RunOnce();
  }
  EXPECT_THAT(Runs(), SizeIs(0));
  clock_.Advance(absl::Hours(74));
  Reopen();
  NightlyRunner after(store_.get(), &clock_);
  after.RunOnce();
  after.RunOnce();
  std::vector<v1::ScheduleRun> runs = Runs();
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(TimeFromProto(runs[0].night()), Utc(2027, 1, 4, 2));
  EXPECT_EQ(runs[0].missed_firings(), 3u);
}

TEST_F(NightlyRunnerTest, AFailedRunIsJudgedOnceAndQueuesOneNotification) {
  NightlyRunner runner(store_.get(), &clock_);
  clock_.Advance(absl::Hours(2));
  runner.RunOnce();
  std::vector<v1::ScheduleRun> runs = Runs();
  ASSERT_THAT(runs, SizeIs(1));
  EndExperiment(runs[0].experiment(), v1::EXPERIMENT_STATE_FAILED);
  runner.RunOnce();
  runner.RunOnce();

  runs = Runs();
  EXPECT_EQ(runs[0].verdict(), "failed");
  EXPECT_THAT(runs[0].verdict_detail(), HasSubstr("2 trials failed"));
  absl::StatusOr<std::vector<OutboxEntry>> due =
      store_->outbox().DueNotifications(clock_.Wall(), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_THAT(*due, SizeIs(1));
  EXPECT_EQ((*due)[0].url, "http://127.0.0.1:9/hook");
  EXPECT_THAT((*due)[0].payload, HasSubstr("\"event\": \"failed_run\""));
  EXPECT_THAT((*due)[0].payload, HasSubstr(runs[0].experiment()));
  EXPECT_THAT((*due)[0].payload, HasSubstr("\"text\": \"scalebench: "));
}

}  // namespace
}  // namespace scalebench::coordinator
