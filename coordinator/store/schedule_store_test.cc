// The Store's schedules, runs and outbox, on a real SQLite file and a
// FakeClock.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/fake_clock.h"
#include "common/proto_time.h"
#include "coordinator/store/stores.h"
#include "coordinator/store/stores_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kSpecYaml[] = R"yaml(
name: nightly
repetitions: 2
loadgen:
  duration: 1s
sweep:
  instances: [1, 2]
)yaml";

v1::Schedule NightlySchedule(const std::string& id) {
  v1::Schedule schedule = DailySchedule(SpecFromYaml(kSpecYaml), id);
  schedule.set_spec_source(kSpecYaml);
  schedule.set_time_zone("Europe/Lisbon");
  schedule.set_webhook_url("http://127.0.0.1:9/hook");
  // Output-only fields a client may send; the store ignores them.
  schedule.set_paused(true);
  schedule.mutable_next_run_time()->set_seconds(1);
  return schedule;
}

class StoreSchedulesTest : public StoresTest {
 protected:
  void SetUp() override {
    StoresTest::SetUp();
    if (HasFatalFailure()) return;
  }
  void TearDown() override { StoresTest::TearDown(); }

  // Ends the experiment `name` ("experiments/...") in `state`.
  void End(const std::string& name, v1::ExperimentState state) {
    const std::string id = name.substr(name.find('/') + 1);
    ASSERT_TRUE(store_->experiments()
                    .SetExperimentState(id, v1::EXPERIMENT_STATE_RUNNING, "")
                    .ok());
    ASSERT_TRUE(
        store_->experiments().SetExperimentState(id, state, "done").ok());
  }
};

TEST_F(StoreSchedulesTest, KeepsWhatWasGivenAndFillsTheRest) {
  absl::StatusOr<StoredSchedule> created =
      store_->schedules().CreateSchedule(NightlySchedule("nightly"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_FALSE(created->schedule.paused());
  EXPECT_FALSE(created->schedule.has_next_run_time());
  EXPECT_EQ(created->last_fire_time, clock_.Wall());
  EXPECT_EQ(TimeFromProto(created->schedule.create_time()), clock_.Wall());

  absl::StatusOr<StoredSchedule> read =
      store_->schedules().GetSchedule("nightly");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->schedule.cron(), "0 2 * * *");
  EXPECT_EQ(read->schedule.time_zone(), "Europe/Lisbon");
  EXPECT_EQ(read->schedule.spec().name(), "nightly");
  EXPECT_EQ(read->schedule.webhook_url(), "http://127.0.0.1:9/hook");

  absl::StatusOr<StoredSchedule> again =
      store_->schedules().CreateSchedule(NightlySchedule("nightly"));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->schedules().GetSchedule("other").status().code(),
            absl::StatusCode::kNotFound);

  ASSERT_TRUE(
      store_->schedules().CreateSchedule(NightlySchedule("a-first")).ok());
  absl::StatusOr<std::vector<StoredSchedule>> all =
      store_->schedules().ListSchedules();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_THAT(*all, SizeIs(2));
  EXPECT_EQ((*all)[0].schedule.name(), "schedules/a-first");
  EXPECT_EQ((*all)[1].schedule.name(), "schedules/nightly");
}

TEST_F(StoreSchedulesTest, AFiringStartsAnExperimentThatNamesItsNight) {
  ASSERT_TRUE(
      store_->schedules().CreateSchedule(NightlySchedule("nightly")).ok());
  const absl::Time night = clock_.Wall() + absl::Hours(3);
  clock_.Advance(absl::Hours(5));
  absl::StatusOr<v1::ScheduleRun> run = store_->schedules().FireSchedule(
      "nightly", {night, /*missed_firings=*/2});
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_FALSE(run->experiment().empty());
  EXPECT_EQ(run->missed_firings(), 2u);
  EXPECT_EQ(TimeFromProto(run->night()), night);
  EXPECT_EQ(TimeFromProto(run->time()), clock_.Wall());

  const std::string id =
      run->experiment().substr(run->experiment().find('/') + 1);
  absl::StatusOr<v1::Experiment> experiment =
      store_->experiments().GetExperiment(id, v1::EXPERIMENT_VIEW_FULL);
  ASSERT_TRUE(experiment.ok()) << experiment.status();
  EXPECT_EQ(experiment->schedule(), "schedules/nightly");
  EXPECT_EQ(TimeFromProto(experiment->night()), night);
  EXPECT_EQ(experiment->spec_source(), kSpecYaml);
  EXPECT_EQ(experiment->progress().trials_total(), 4u);

  absl::StatusOr<StoredSchedule> stored =
      store_->schedules().GetSchedule("nightly");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->last_fire_time, night);
  EXPECT_EQ(stored->schedule.last_run().experiment(), run->experiment());

  // The same night again (a second coordinator, a retried tick) is refused
  // and starts nothing.
  absl::StatusOr<v1::ScheduleRun> twice =
      store_->schedules().FireSchedule("nightly", {night});
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<ExperimentPage> page = store_->experiments().ListExperiments(
      0, "", v1::EXPERIMENT_VIEW_BASIC, "nightly");
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->experiments, SizeIs(1));
}

TEST_F(StoreSchedulesTest, ARetriedManualFiringReturnsTheSameRun) {
  ASSERT_TRUE(
      store_->schedules().CreateSchedule(NightlySchedule("nightly")).ok());
  ASSERT_TRUE(
      store_->schedules().CreateSchedule(NightlySchedule("other")).ok());
  Firing by_hand;
  by_hand.manual = true;
  by_hand.request_id = "7f0c6a52-run-now";
  absl::StatusOr<v1::ScheduleRun> run =
      store_->schedules().FireSchedule("nightly", by_hand);
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_FALSE(run->experiment().empty());

  // The retry comes later, while the first run's experiment still goes: it
  // is the same run, not a refusal, and nothing new is recorded.
  clock_.Advance(absl::Minutes(1));
  absl::StatusOr<v1::ScheduleRun> retried =
      store_->schedules().FireSchedule("nightly", by_hand);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->SerializeAsString(), run->SerializeAsString());
  absl::StatusOr<std::vector<v1::ScheduleRun>> runs =
      store_->schedules().ListScheduleRuns("nightly");
  ASSERT_TRUE(runs.ok()) << runs.status();
  EXPECT_THAT(*runs, SizeIs(1));

  // Without the id, the same call is refused: the first run still goes.
  Firing no_id;
  no_id.manual = true;
  EXPECT_EQ(store_->schedules().FireSchedule("nightly", no_id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // The id used for another schedule is refused and names the first.
  absl::StatusOr<v1::ScheduleRun> elsewhere =
      store_->schedules().FireSchedule("other", by_hand);
  EXPECT_EQ(elsewhere.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(elsewhere.status().message(), HasSubstr("schedules/nightly"));
}

TEST_F(StoreSchedulesTest, AFiringWhileThePreviousRunGoesIsASkip) {
  ASSERT_TRUE(
      store_->schedules().CreateSchedule(NightlySchedule("nightly")).ok());
  const absl::Time first = clock_.Wall() + absl::Hours(1);
  absl::StatusOr<v1::ScheduleRun> run =
      store_->schedules().FireSchedule("nightly", {first});
  ASSERT_TRUE(run.ok()) << run.status();

  const absl::Time second = first + absl::Hours(24);
  absl::StatusOr<v1::ScheduleRun> skipped =
      store_->schedules().FireSchedule("nightly", {second});
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->experiment(), "");
  EXPECT_THAT(skipped->skip_reason(), HasSubstr(run->experiment()));
  EXPECT_THAT(skipped->skip_reason(), HasSubstr("still going"));

  // By hand it is refused rather than skipped, naming the run in the way.
  Firing manual{clock_.Wall()};
  manual.manual = true;
  absl::StatusOr<v1::ScheduleRun> refused =
      store_->schedules().FireSchedule("nightly", manual);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr(run->experiment()));

  End(run->experiment(), v1::EXPERIMENT_STATE_SUCCEEDED);
  absl::StatusOr<v1::ScheduleRun> third =
      store_->schedules().FireSchedule("nightly", {second + absl::Hours(24)});
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_NE(third->experiment(), "");

  absl::StatusOr<std::vector<v1::ScheduleRun>> runs =
      store_->schedules().ListScheduleRuns("nightly");
  ASSERT_TRUE(runs.ok());
  ASSERT_THAT(*runs, SizeIs(3));  // Newest first: third, the skip, first.
  EXPECT_EQ((*runs)[0].experiment(), third->experiment());
  EXPECT_NE((*runs)[1].skip_reason(), "");
  EXPECT_EQ((*runs)[2].experiment(), run->experiment());
}

TEST_F(StoreSchedulesTest, ResumingSkipsWhatWasSleptThrough) {
  ASSERT_TRUE(
      store_->schedules().CreateSchedule(NightlySchedule("nightly")).ok());
  absl::StatusOr<StoredSchedule> paused =
      store_->schedules().SetSchedulePaused("nightly", true);
  ASSERT_TRUE(paused.ok());
  EXPECT_TRUE(paused->schedule.paused());
  EXPECT_EQ(store_->schedules()
                .FireSchedule("nightly", {clock_.Wall() + absl::Hours(1)})
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);

  clock_.Advance(absl::Hours(72));
  absl::StatusOr<StoredSchedule> resumed =
      store_->schedules().SetSchedulePaused("nightly", false);
  ASSERT_TRUE(resumed.ok());
  EXPECT_FALSE(resumed->schedule.paused());
  EXPECT_EQ(resumed->last_fire_time, clock_.Wall());
  // Resuming twice changes nothing.
  clock_.Advance(absl::Hours(1));
  absl::StatusOr<StoredSchedule> again =
      store_->schedules().SetSchedulePaused("nightly", false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->last_fire_time, resumed->last_fire_time);
}

TEST_F(StoreSchedulesTest, DeletingKeepsTheExperiments) {
  ASSERT_TRUE(
      store_->schedules().CreateSchedule(NightlySchedule("nightly")).ok());
  absl::StatusOr<v1::ScheduleRun> run = store_->schedules().FireSchedule(
      "nightly", {clock_.Wall() + absl::Hours(1)});
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_TRUE(store_->schedules().DeleteSchedule("nightly").ok());
  EXPECT_EQ(store_->schedules().DeleteSchedule("nightly").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->schedules().ListScheduleRuns("nightly").status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<ExperimentPage> page = store_->experiments().ListExperiments(
      0, "", v1::EXPERIMENT_VIEW_BASIC, "nightly");
  ASSERT_TRUE(page.ok());
  ASSERT_THAT(page->experiments, SizeIs(1));
  EXPECT_EQ(page->experiments[0].schedule(), "schedules/nightly");
}

TEST_F(StoreSchedulesTest, EndedRunsAreJudgedOnceAndTheirEventsQueuedOnce) {
  ASSERT_TRUE(
      store_->schedules().CreateSchedule(NightlySchedule("nightly")).ok());
  absl::StatusOr<v1::ScheduleRun> run = store_->schedules().FireSchedule(
      "nightly", {clock_.Wall() + absl::Hours(1)});
  ASSERT_TRUE(run.ok()) << run.status();
  absl::StatusOr<std::vector<UnjudgedRun>> unjudged =
      store_->schedules().ListUnjudgedRuns();
  ASSERT_TRUE(unjudged.ok());
  EXPECT_THAT(*unjudged, SizeIs(0));  // Still running.

  End(run->experiment(), v1::EXPERIMENT_STATE_FAILED);
  unjudged = store_->schedules().ListUnjudgedRuns();
  ASSERT_TRUE(unjudged.ok());
  ASSERT_THAT(*unjudged, SizeIs(1));
  const UnjudgedRun& ended = (*unjudged)[0];
  EXPECT_EQ(ended.schedule_id, "nightly");
  EXPECT_EQ(ended.run.experiment(), run->experiment());

  const NewNotification event{"failed:" + run->experiment(),
                              "http://127.0.0.1:9/hook", R"({"text":"x"})"};
  ASSERT_TRUE(store_->schedules()
                  .JudgeRun("nightly", ended.seq, "failed", "2 trials failed",
                            {event, event})
                  .ok());
  // A judge that crashed after committing and judged again queues nothing
  // new.
  ASSERT_TRUE(store_->schedules()
                  .JudgeRun("nightly", ended.seq, "failed", "again", {event})
                  .ok());
  unjudged = store_->schedules().ListUnjudgedRuns();
  ASSERT_TRUE(unjudged.ok());
  EXPECT_THAT(*unjudged, SizeIs(0));
  absl::StatusOr<StoredSchedule> stored =
      store_->schedules().GetSchedule("nightly");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->schedule.last_run().verdict(), "failed");
  EXPECT_EQ(stored->schedule.last_run().verdict_detail(), "again");

  absl::StatusOr<std::vector<OutboxEntry>> due =
      store_->outbox().DueNotifications(clock_.Wall(), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_THAT(*due, SizeIs(1));
  EXPECT_EQ((*due)[0].event_key, event.event_key);
  EXPECT_EQ((*due)[0].payload, event.payload);
  EXPECT_EQ((*due)[0].attempts, 0);
}

TEST_F(StoreSchedulesTest, TheOutboxRetriesUntilSentThenNeverAgain) {
  ASSERT_TRUE(
      store_->schedules().CreateSchedule(NightlySchedule("nightly")).ok());
  absl::StatusOr<v1::ScheduleRun> run = store_->schedules().FireSchedule(
      "nightly", {clock_.Wall() + absl::Hours(1)});
  ASSERT_TRUE(run.ok());
  End(run->experiment(), v1::EXPERIMENT_STATE_FAILED);
  absl::StatusOr<std::vector<UnjudgedRun>> unjudged =
      store_->schedules().ListUnjudgedRuns();
  ASSERT_TRUE(unjudged.ok() && unjudged->size() == 1);
  ASSERT_TRUE(
      store_->schedules()
          .JudgeRun("nightly", (*unjudged)[0].seq, "failed", "",
                    {{"e1", "http://h/1", "{}"}, {"e2", "http://h/2", "{}"}})
          .ok());
  absl::StatusOr<int64_t> undelivered =
      store_->outbox().CountUndeliveredNotifications();
  ASSERT_TRUE(undelivered.ok());
  EXPECT_EQ(*undelivered, 2);

  absl::StatusOr<std::vector<OutboxEntry>> due =
      store_->outbox().DueNotifications(clock_.Wall(), 10);
  ASSERT_TRUE(due.ok() && due->size() == 2);
  ASSERT_TRUE(store_->outbox()
                  .DeferNotification((*due)[0].id, "connection refused",
                                     clock_.Wall() + absl::Seconds(30))
                  .ok());
  ASSERT_TRUE(store_->outbox().MarkNotificationSent((*due)[1].id).ok());

  due =
      store_->outbox().DueNotifications(clock_.Wall() + absl::Seconds(29), 10);
  ASSERT_TRUE(due.ok());
  EXPECT_THAT(*due, SizeIs(0));
  due =
      store_->outbox().DueNotifications(clock_.Wall() + absl::Seconds(30), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_THAT(*due, SizeIs(1));
  EXPECT_EQ((*due)[0].event_key, "e1");
  EXPECT_EQ((*due)[0].attempts, 1);
  ASSERT_TRUE(store_->outbox().MarkNotificationSent((*due)[0].id).ok());
  ASSERT_TRUE(
      store_->outbox().MarkNotificationSent((*due)[0].id).ok());  // Idempotent.
  due = store_->outbox().DueNotifications(clock_.Wall() + absl::Hours(1), 10);
  ASSERT_TRUE(due.ok());
  EXPECT_THAT(*due, SizeIs(0));
  undelivered = store_->outbox().CountUndeliveredNotifications();
  ASSERT_TRUE(undelivered.ok());
  EXPECT_EQ(*undelivered, 0);
}

}  // namespace
}  // namespace scalebench::coordinator
