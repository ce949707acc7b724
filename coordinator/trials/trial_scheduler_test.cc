// The scheduler and each attempt's state machine on a FakeClock, with a
// real store (a temp file) and the real worker registry; the "workers" are
// this test, reporting states through WorkerRegistry::Synchronize.
#include <string>

#include "coordinator/trials/trial_scheduler_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator::trial_scheduler_test {
namespace {

TEST_F(SchedulerTest, DisjointTrialsRunInParallelAndTheExperimentSucceeds) {
  Create(kTwoConfigurations);
  Report("w1", Idle());
  Report("w2", Idle());
  scheduler_->RunOnce();

  // Sequential order: trial 0 is 1 instance, trial 1 is 2; one host each.
  const v1::DesiredState d1 = Desired("w1");
  ASSERT_TRUE(d1.has_prepare()) << d1.DebugString();
  EXPECT_EQ(d1.prepare().key().trial(), Key(0, 1).trial());
  EXPECT_EQ(d1.prepare().key().attempt(), 1u);
  EXPECT_EQ(d1.prepare().target_count(), 1u);
  EXPECT_FALSE(d1.prepare().has_balancer());
  EXPECT_EQ(d1.prepare().timeout().seconds(), 20);
  const v1::DesiredState d2 = Desired("w2");
  ASSERT_TRUE(d2.has_prepare());
  EXPECT_EQ(d2.prepare().key().trial(), Key(1, 1).trial());
  EXPECT_EQ(d2.prepare().target_count(), 2u);
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_PREPARING);
  EXPECT_EQ(Trial(1).state(), v1::TRIAL_STATE_PREPARING);
  EXPECT_EQ(Experiment().state(), v1::EXPERIMENT_STATE_RUNNING);

  // w1 ready: measure from T0 = now + the 2 s lead, at its target.
  const absl::Time now = clock_.Wall();
  Report("w1", Ready(Key(0, 1), {"127.0.0.1:9001"}));
  scheduler_->RunOnce();
  const v1::DesiredState m = Desired("w1");
  ASSERT_TRUE(m.has_measure()) << m.DebugString();
  EXPECT_EQ(TimeFromProto(m.measure().start_time()), now + absl::Seconds(2));
  EXPECT_THAT(m.measure().urls(), ElementsAre("http://127.0.0.1:9001/"));
  EXPECT_EQ(m.measure().load().connections(), 10u);
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_MEASURING);

  // Its result: 1000 requests in 5 s.
  Report("w1", Finished(Key(0, 1)),
         {Measured(Key(0, 1), "w1", 1000, 5, clock_.Wall())});
  scheduler_->RunOnce();
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_SUCCEEDED);
  absl::StatusOr<v1::TrialResult> result =
      store_->results().GetTrialResult(Key(0, 1).trial());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_DOUBLE_EQ(result->requests_per_s(), 200.0);
  EXPECT_TRUE(Desired("w1").has_idle());
  EXPECT_EQ(scheduler_->TEST_RunningAttempts(), 2u);  // w1 tears down.
  Report("w1", Idle());
  scheduler_->RunOnce();
  EXPECT_EQ(scheduler_->TEST_RunningAttempts(), 1u);
  EXPECT_EQ(Experiment().state(), v1::EXPERIMENT_STATE_RUNNING);

  RunThrough(1, 1, "w2", 3000);
  EXPECT_EQ(Trial(1).state(), v1::TRIAL_STATE_SUCCEEDED);
  EXPECT_DOUBLE_EQ(
      store_->results().GetTrialResult(Key(1, 1).trial())->requests_per_s(),
      600.0);
  scheduler_->RunOnce();
  EXPECT_EQ(Experiment().state(), v1::EXPERIMENT_STATE_SUCCEEDED);
  EXPECT_EQ(scheduler_->TEST_RunningAttempts(), 0u);
}

TEST_F(SchedulerTest, AHostRunsOneTrialAtATime) {
  Create(kTwoConfigurations);
  Report("w1", Idle());
  scheduler_->RunOnce();
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_PREPARING);
  EXPECT_EQ(Trial(1).state(), v1::TRIAL_STATE_QUEUED);
  RunThrough(0, 1, "w1", 100);
  // Released by the pass that saw it idle, and given trial 1 in it.
  EXPECT_EQ(Trial(1).state(), v1::TRIAL_STATE_PREPARING);
  EXPECT_EQ(Desired("w1").prepare().key().trial(), Key(1, 1).trial());
}

TEST_F(SchedulerTest, APrepareTimeoutIsRetriedThenFailsTheTrial) {
  Create(kOneConfiguration);
  Report("w1", Idle());
  scheduler_->RunOnce();
  Report("w1", Preparing(Key(0, 1)));
  // The phase's deadline: the 20 s prepare timeout + 10 s of slack.
  clock_.Advance(absl::Seconds(29));
  Report("w1", Preparing(Key(0, 1)));
  scheduler_->RunOnce();
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_PREPARING);
  clock_.Advance(absl::Seconds(2));
  Report("w1", Preparing(Key(0, 1)));
  scheduler_->RunOnce();
  v1::Trial trial = Trial(0);
  EXPECT_EQ(trial.state(), v1::TRIAL_STATE_QUEUED);
  ASSERT_EQ(trial.attempts_size(), 1);
  EXPECT_EQ(trial.attempts(0).failure().kind(), v1::FAILURE_KIND_TIMEOUT);
  EXPECT_EQ(trial.attempts(0).failure().reason(),
            "prepare: w1 not ready within 30s");
  EXPECT_TRUE(Desired("w1").has_idle());

  // Torn down, the only host takes the retry although it failed there.
  Report("w1", Idle());
  scheduler_->RunOnce();
  EXPECT_EQ(Desired("w1").prepare().key().attempt(), 2u);
  clock_.Advance(absl::Seconds(31));
  Report("w1", Preparing(Key(0, 2)));
  scheduler_->RunOnce();
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_FAILED);
  Report("w1", Idle());
  scheduler_->RunOnce();
  scheduler_->RunOnce();
  const v1::Experiment e = Experiment();
  EXPECT_EQ(e.state(), v1::EXPERIMENT_STATE_FAILED);
  EXPECT_THAT(e.status_message(),
              HasSubstr("all 1 trials failed after their retries"));
}

TEST_F(SchedulerTest, ALostWorkerFailsItsAttemptAndTheRetryGoesElsewhere) {
  Create(kOneConfiguration);
  Report("w1", Idle());
  Report("w2", Idle());
  scheduler_->RunOnce();
  ASSERT_TRUE(Desired("w1").has_prepare());
  EXPECT_TRUE(Desired("w2").has_idle());
  // w1 falls silent; w2 keeps calling. Lost after next_synchronization_time
  // (10 s after its call) + 10 s of grace.
  clock_.Advance(absl::Seconds(21));
  Report("w2", Idle());
  scheduler_->RunOnce();
  v1::Trial trial = Trial(0);
  ASSERT_EQ(trial.attempts_size(), 1);
  EXPECT_EQ(trial.attempts(0).failure().kind(), v1::FAILURE_KIND_WORKER_LOST);
  EXPECT_THAT(trial.attempts(0).failure().reason(),
              HasSubstr("worker w1 stopped synchronizing during prepare"));
  scheduler_->RunOnce();
  trial = Trial(0);
  ASSERT_EQ(trial.attempts_size(), 2);
  EXPECT_EQ(trial.attempts(1).placement().at("target/0"), "w2");
  EXPECT_EQ(Desired("w2").prepare().key().attempt(), 2u);
}

TEST_F(SchedulerTest, ARestartedWorkerFailsItsAttempt) {
  Create(kOneConfiguration);
  Report("w1", Idle());
  scheduler_->RunOnce();
  Report("w1", Idle(), {}, "s2");  // A new session: it restarted.
  scheduler_->RunOnce();
  const v1::Trial trial = Trial(0);
  ASSERT_EQ(trial.attempts_size(), 1);
  EXPECT_EQ(trial.attempts(0).failure().kind(),
            v1::FAILURE_KIND_WORKER_RESTARTED);
  EXPECT_EQ(trial.state(), v1::TRIAL_STATE_QUEUED);
}

TEST_F(SchedulerTest, AFailureAHostReportsEndsTheAttemptWithItsKind) {
  Create(kOneConfiguration);
  FailTheFirstAttemptsTargetStart();
  const v1::Trial trial = Trial(0);
  ASSERT_EQ(trial.attempts_size(), 1);
  EXPECT_EQ(trial.attempts(0).failure().kind(), v1::FAILURE_KIND_TARGET_START);
  EXPECT_EQ(trial.attempts(0).failure().reason(),
            "worker w1: target 0: nginx exited with status 1");
  // The failed attempt's data is kept, and no merged result exists.
  EXPECT_EQ(store_->results().ListWorkerResults(Key(0, 1))->size(), 1u);
  EXPECT_FALSE(store_->results().GetTrialResult(Key(0, 1).trial()).ok());
}

TEST_F(SchedulerTest, AllTrialsFailedEndsTheExperimentWithNoRowsToFit) {
  Create(kUslWithoutBy);
  FailTheFirstAttemptsTargetStart();
  Report("w1", Idle());
  scheduler_->RunOnce();
  scheduler_->RunOnce();
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_FAILED);
  const v1::Experiment e = Experiment();
  EXPECT_EQ(e.state(), v1::EXPERIMENT_STATE_FAILED);
  EXPECT_THAT(e.status_message(),
              HasSubstr("all 1 trials failed after their retries"));
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      store_->fits().ListFits("exp-000001");
  ASSERT_TRUE(fits.ok()) << fits.status();
  ASSERT_EQ(fits->size(), 2u);
  EXPECT_EQ((*fits)[0].spec().fit(), v1::MODEL_KIND_USL);
  EXPECT_EQ((*fits)[0].error(),
            "models[0]: no rows to fit: there are no trial results");
  EXPECT_EQ((*fits)[1].spec().fit(), v1::MODEL_KIND_AMDAHL);
  EXPECT_EQ((*fits)[1].error(),
            "models[1]: no rows to fit: there are no trial results");
}

// A worker never placed on an attempt cannot end it: its forged failure is
// dropped, and the placed worker's measurement completes the trial.
TEST_F(SchedulerTest, AFailureFromAWorkerNotPlacedOnTheAttemptDoesNotEndIt) {
  Create(kOneConfiguration);
  Report("w1", Idle());
  scheduler_->RunOnce();
  ASSERT_TRUE(Desired("w1").has_prepare());
  Report("evil", Idle(),
         {Failed(Key(0, 1), "evil", v1::FAILURE_KIND_TARGET_START,
                 "forged: nginx exited")});
  scheduler_->RunOnce();
  RunThrough(0, 1, "w1", 100);
  const v1::Trial trial = Trial(0);
  EXPECT_EQ(trial.state(), v1::TRIAL_STATE_SUCCEEDED);
  ASSERT_EQ(trial.attempts_size(), 1);
  EXPECT_FALSE(trial.attempts(0).has_failure())
      << trial.attempts(0).failure().reason();
  EXPECT_EQ(store_->results().ListWorkerResults(Key(0, 1))->size(), 1u);
}

// A measurement no honest worker could make (a window in the year 10000)
// fails the attempt of the worker that sent it, saying why, and is not
// merged into a result.
TEST_F(SchedulerTest, AnImplausibleMeasurementFailsItsOwnAttempt) {
  Create(kOneConfiguration);
  Report("w1", Idle());
  scheduler_->RunOnce();
  Report("w1", Ready(Key(0, 1), {"127.0.0.1:9001"}));
  scheduler_->RunOnce();
  ASSERT_TRUE(Desired("w1").has_measure());
  Report("w1", Finished(Key(0, 1)),
         {Measured(Key(0, 1), "w1", 1000, 5,
                   absl::FromUnixSeconds(253402300800))});
  scheduler_->RunOnce();
  const v1::Trial trial = Trial(0);
  ASSERT_EQ(trial.attempts_size(), 1);
  EXPECT_EQ(trial.attempts(0).failure().kind(), v1::FAILURE_KIND_INTERNAL);
  EXPECT_THAT(trial.attempts(0).failure().reason(),
              HasSubstr("worker w1: the coordinator refused the worker's "
                        "result: loadgen.start_time"));
  EXPECT_FALSE(store_->results().GetTrialResult(Key(0, 1).trial()).ok());
}

TEST_F(SchedulerTest, TheMeasurePhaseEndsAtLeadPlusLengthPlusTimeoutPlusSlack) {
  Create(kOneConfiguration);
  Report("w1", Idle());
  scheduler_->RunOnce();
  Report("w1", Ready(Key(0, 1), {"127.0.0.1:9001"}));
  scheduler_->RunOnce();
  ASSERT_TRUE(Desired("w1").has_measure());
  // 2 s lead + 5 s + the 10 s request timeout + 10 s slack = 27 s.
  for (int i = 0; i < 13; ++i) {
    clock_.Advance(absl::Seconds(2));
    Report("w1", Measuring(Key(0, 1)));
  }
  scheduler_->RunOnce();
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_MEASURING);
  clock_.Advance(absl::Seconds(2));
  Report("w1", Measuring(Key(0, 1)));
  scheduler_->RunOnce();
  const v1::Trial trial = Trial(0);
  ASSERT_EQ(trial.attempts_size(), 1);
  EXPECT_EQ(trial.attempts(0).failure().reason(),
            "measure: w1 not finished within 27s");
}

TEST_F(SchedulerTest, CancelStopsTheRunningAttemptAndTheQueue) {
  Create(kTwoConfigurations);
  Report("w1", Idle());
  scheduler_->RunOnce();
  RequestCancel();
  scheduler_->RunOnce();
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_CANCELLED);
  EXPECT_EQ(Trial(0).attempts(0).failure().kind(), v1::FAILURE_KIND_CANCELLED);
  EXPECT_EQ(Trial(1).state(), v1::TRIAL_STATE_CANCELLED);
  // Cancelled once its host has torn down.
  EXPECT_EQ(Experiment().state(), v1::EXPERIMENT_STATE_CANCELLING);
  EXPECT_TRUE(Desired("w1").has_idle());
  Report("w1", Idle());
  scheduler_->RunOnce();
  scheduler_->RunOnce();
  EXPECT_EQ(Experiment().state(), v1::EXPERIMENT_STATE_CANCELLED);
}

}  // namespace
}  // namespace scalebench::coordinator::trial_scheduler_test
