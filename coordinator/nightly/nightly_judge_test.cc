// The nightly judge over a real store holding runs whose throughput the
// test chooses: the first run has no baseline, an unchanged one is "no
// change", a slower one a regression with its notification, and a lasting
// shift is notified once as a change point at the night it began.
#include "coordinator/nightly/nightly_judge.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "api/resource_names.h"
#include "common/fake_clock.h"
#include "coordinator/store/stores_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr int kRepetitions = 6;
constexpr char kSpecYaml[] =
    "name: nightly\nrepetitions: 6\nloadgen:\n  duration: 1s\n"
    "sweep:\n  instances: [2]\n";

class NightlyJudgeTest : public StoresTest {
 protected:
  void SetUp() override {
    StoresTest::SetUp();
    if (HasFatalFailure()) return;
    v1::Schedule schedule = DailySchedule(SpecFromYaml(kSpecYaml));
    schedule.set_webhook_url("http://127.0.0.1:9/hook");
    ASSERT_TRUE(store_->schedules().CreateSchedule(schedule).ok());
  }
  void TearDown() override { StoresTest::TearDown(); }

  // Runs the next night with the trials measuring `level` requests/s
  // (+- 0.2%, a different value per repetition), ends it, judges it and
  // stores the verdict, as the NightlyRunner does. Returns the verdict.
  Judgement Night(double level) {
    night_ += absl::Hours(24);
    clock_.Advance(absl::Hours(24));
    absl::StatusOr<v1::ScheduleRun> run =
        store_->schedules().FireSchedule("nightly", {night_});
    EXPECT_TRUE(run.ok()) << run.status();
    const std::string id =
        api::ParseExperimentName(run->experiment()).value_or("");
    absl::StatusOr<v1::Experiment> experiment =
        store_->experiments().GetExperiment(id, v1::EXPERIMENT_VIEW_FULL);
    absl::StatusOr<std::vector<v1::Trial>> trials =
        store_->trials().ListTrials(id);
    EXPECT_TRUE(experiment.ok() && trials.ok());
    for (const v1::Trial& trial : *trials) {
      EXPECT_TRUE(store_->trials().StartAttempt(trial.name(), {}).ok());
      v1::TrialResult result;
      result.mutable_key()->set_trial(trial.name());
      result.mutable_key()->set_attempt(1);
      *result.mutable_configuration() =
          experiment->configurations(trial.configuration_index());
      result.set_repetition(trial.repetition());
      const int repetition = static_cast<int>(trial.repetition());
      result.set_requests_per_s(
          level * (1 + 0.001 * (repetition % 3 - 1) + 0.0003 * repetition));
      v1::LatencyHistogram* h = result.mutable_merged()->mutable_latency();
      h->set_sub_bucket_bits(7);
      h->set_highest_trackable_ns(1'000'000);
      EXPECT_TRUE(store_->trials()
                      .EndAttempt(result.key(), std::nullopt, &result,
                                  v1::TRIAL_STATE_SUCCEEDED, "")
                      .ok());
    }
    EXPECT_TRUE(store_->experiments()
                    .SetExperimentState(id, v1::EXPERIMENT_STATE_SUCCEEDED, "")
                    .ok());
    absl::StatusOr<std::vector<UnjudgedRun>> unjudged =
        store_->schedules().ListUnjudgedRuns();
    EXPECT_TRUE(unjudged.ok() && unjudged->size() == 1);
    absl::StatusOr<Judgement> judgement = JudgeRun(*store_, (*unjudged)[0]);
    EXPECT_TRUE(judgement.ok()) << judgement.status();
    EXPECT_TRUE(store_->schedules()
                    .JudgeRun("nightly", (*unjudged)[0].seq, judgement->verdict,
                              judgement->detail, judgement->notifications)
                    .ok());
    last_experiment_ = run->experiment();
    return *judgement;
  }

  // Queued notifications whose payload says `event`.
  std::vector<OutboxEntry> Queued(const std::string& event) {
    absl::StatusOr<std::vector<OutboxEntry>> due =
        store_->outbox().DueNotifications(clock_.Wall(), 1000);
    EXPECT_TRUE(due.ok());
    std::vector<OutboxEntry> matching;
    for (const OutboxEntry& e : *due) {
      if (absl::StrContains(e.payload, "\"event\": \"" + event + "\"")) {
        matching.push_back(e);
      }
    }
    return matching;
  }

  absl::Time night_ = absl::FromUnixSeconds(1'800'000'000);
  std::string last_experiment_;
};

TEST_F(NightlyJudgeTest, FirstNoBaselineThenNoChangeThenARegression) {
  Judgement first = Night(1000);
  EXPECT_EQ(first.verdict, "no_baseline");
  EXPECT_THAT(first.notifications, SizeIs(0));
  const std::string first_experiment = last_experiment_;

  Judgement same = Night(1000);
  EXPECT_EQ(same.verdict, "no_change");
  EXPECT_THAT(same.detail, HasSubstr(first_experiment));

  Judgement slower = Night(900);
  EXPECT_EQ(slower.verdict, "regression");
  EXPECT_THAT(slower.detail, HasSubstr("1 of 1 configurations regressed"));
  EXPECT_THAT(slower.detail, HasSubstr("-10.0%"));
  std::vector<OutboxEntry> regressions = Queued("regression");
  ASSERT_THAT(regressions, SizeIs(1));
  EXPECT_THAT(regressions[0].payload, HasSubstr(last_experiment_));
  EXPECT_THAT(regressions[0].payload, HasSubstr("\"text\": \"scalebench: "));
  EXPECT_THAT(regressions[0].payload, HasSubstr("\"contender_median\""));

  Judgement faster = Night(1100);
  EXPECT_EQ(faster.verdict, "improvement");
}

TEST_F(NightlyJudgeTest, ALastingShiftIsNotifiedOnceAtTheNightItBegan) {
  for (int night = 0; night < 8; ++night) Night(1000);
  EXPECT_THAT(Queued("change_point"), SizeIs(0));
  std::string shift_experiment;
  for (int night = 0; night < 6; ++night) {
    Night(800);
    if (night == 0) shift_experiment = last_experiment_;
  }
  std::vector<OutboxEntry> shifts = Queued("change_point");
  ASSERT_THAT(shifts, SizeIs(1));
  EXPECT_THAT(shifts[0].payload,
              HasSubstr("\"shift_experiment\": \"" + shift_experiment));
  EXPECT_THAT(shifts[0].payload, HasSubstr("-20.0%"));
}

TEST_F(NightlyJudgeTest, WithoutAWebhookNothingIsQueued) {
  ASSERT_TRUE(store_->schedules().DeleteSchedule("nightly").ok());
  ASSERT_TRUE(store_->schedules()
                  .CreateSchedule(DailySchedule(SpecFromYaml(kSpecYaml)))
                  .ok());
  Night(1000);
  Judgement slower = Night(800);
  EXPECT_EQ(slower.verdict, "regression");
  EXPECT_THAT(slower.notifications, SizeIs(0));
}

}  // namespace
}  // namespace scalebench::coordinator
