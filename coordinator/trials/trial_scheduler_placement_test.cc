// The scheduler on a FakeClock: what an experiment waits for, closed
// clusters, cancelling a queue, balancers and load across hosts, recovery
// after a restart, adaptive rounds, and the retry budget.
#include <string>

#include "coordinator/trials/trial_scheduler_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator::trial_scheduler_test {
namespace {

constexpr char kDocker[] = R"yaml(
name: docker
repetitions: 3
loadgen:
  duration: 5s
sweep:
  platform: [docker]
)yaml";

// A standalone coordinator waits for a host that could come, and says
// what it waits for: no worker at all, then what the workers lack and why.
TEST_F(SchedulerTest, AnExperimentNoHostCanRunSaysWhatItWaitsFor) {
  Create(kDocker);
  scheduler_->RunOnce();
  EXPECT_THAT(Experiment().waiting_for(),
              HasSubstr("no worker is synchronizing"));
  // Each queued trial says why: the same configuration, the same reason.
  EXPECT_THAT(Trial(0).waiting_for(), HasSubstr("no worker is synchronizing"));
  EXPECT_THAT(Trial(2).waiting_for(), HasSubstr("no worker is synchronizing"));

  v1::Unavailable& docker = *facts_.add_unavailable();
  docker.set_platform(v1::PLATFORM_DOCKER);
  docker.set_reason("the engine does not answer");
  Report("w1", Idle());
  scheduler_->RunOnce();
  const v1::Experiment waiting = Experiment();
  EXPECT_EQ(waiting.state(), v1::EXPERIMENT_STATE_PENDING);
  EXPECT_THAT(waiting.waiting_for(), HasSubstr("that run docker"));
  EXPECT_THAT(waiting.waiting_for(),
              HasSubstr("w1: platform docker: the engine does not answer"));
  absl::StatusOr<std::vector<v1::ExperimentEvent>> events =
      store_->experiments().Events("exp-000001", 0);
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_THAT(events->back().message(),
              HasSubstr("waiting: trial experiments/exp-000001/trials/0"));
  // Another pass with nothing new records nothing new.
  scheduler_->RunOnce();
  EXPECT_EQ(store_->experiments().Events("exp-000001", 0)->size(),
            events->size());

  // A host that runs docker arrives: the trial is placed, nothing waits.
  facts_.clear_unavailable();
  facts_.add_platforms(v1::PLATFORM_DOCKER);
  Report("w2", Idle());
  scheduler_->RunOnce();
  EXPECT_TRUE(Desired("w2").has_prepare()) << Desired("w2").DebugString();
  EXPECT_EQ(Experiment().waiting_for(), "");
  // The placed trial waits for nothing; the next one for the busy host.
  EXPECT_EQ(Trial(0).waiting_for(), "");
  EXPECT_EQ(Trial(1).waiting_for(),
            "waits for busy hosts: needs 1 free hosts: 1 that run docker; 0 "
            "found");
  EXPECT_EQ(Trial(2).waiting_for(),
            "queued behind trial 1, which waits for busy hosts");
}

// `scalebench run`: no other worker can join, so an experiment the one
// worker cannot run fails at once, with the reason, before any attempt.
TEST_F(SchedulerTest, AClosedClusterFailsWhatItsWorkersCannotRun) {
  UseAClosedCluster();
  Create(kDocker);
  scheduler_->RunOnce();  // No worker yet: the embedded one is starting.
  EXPECT_EQ(Experiment().state(), v1::EXPERIMENT_STATE_PENDING);

  v1::Unavailable& docker = *facts_.add_unavailable();
  docker.set_platform(v1::PLATFORM_DOCKER);
  docker.set_reason("the engine does not answer");
  Report("local", Idle());
  scheduler_->RunOnce();
  const v1::Experiment failed = Experiment();
  EXPECT_EQ(failed.state(), v1::EXPERIMENT_STATE_FAILED);
  EXPECT_THAT(failed.status_message(), HasSubstr("cannot run here"));
  EXPECT_THAT(failed.status_message(),
              HasSubstr("local: platform docker: the engine does not answer"));
  EXPECT_EQ(failed.progress().trials_failed(), 3u);
  for (int n = 0; n < 3; ++n) {
    EXPECT_EQ(Trial(n).state(), v1::TRIAL_STATE_FAILED);
    EXPECT_EQ(Trial(n).attempts_size(), 0);
  }
  EXPECT_TRUE(Desired("local").has_idle());
}

// A closed cluster runs what its workers can run.
TEST_F(SchedulerTest, AClosedClusterRunsWhatItsWorkersCanRun) {
  UseAClosedCluster();
  Create(kOneConfiguration);
  Report("local", Idle());
  scheduler_->RunOnce();
  EXPECT_TRUE(Desired("local").has_prepare());
  EXPECT_EQ(Experiment().state(), v1::EXPERIMENT_STATE_RUNNING);
}

// Cancelling ends every queued trial in one store transaction.
TEST_F(SchedulerTest, CancelEndsEveryQueuedTrialAtOnce) {
  Create(kDocker);  // Nobody runs docker: all three stay queued.
  scheduler_->RunOnce();
  RequestCancel();
  const size_t before = store_->experiments().Events("exp-000001", 0)->size();
  scheduler_->RunOnce();
  const v1::Experiment cancelled = Experiment();
  EXPECT_EQ(cancelled.state(), v1::EXPERIMENT_STATE_CANCELLED);
  EXPECT_EQ(cancelled.waiting_for(), "");
  for (int n = 0; n < 3; ++n) {
    EXPECT_EQ(Trial(n).state(), v1::TRIAL_STATE_CANCELLED);
    EXPECT_EQ(Trial(n).waiting_for(), "");
  }
  // One event for the trials, one for the experiment.
  absl::StatusOr<std::vector<v1::ExperimentEvent>> events =
      store_->experiments().Events("exp-000001", before);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_THAT((*events)[0].message(), HasSubstr("3 queued trials cancelled"));
}

TEST_F(SchedulerTest, TheFirstHostBalancesOverEveryHostAndAllGenerateLoad) {
  Create(kTwoHostsBehindHaproxy);
  for (const char* w : {"w1", "w2"}) Report(w, Idle());
  scheduler_->RunOnce();
  const v1::AttemptKey key = Key(0, 1);
  // Targets first; w1 keeps cores and a port for the balancer.
  const v1::DesiredState first = Desired("w1");
  ASSERT_TRUE(first.has_prepare()) << first.DebugString();
  EXPECT_EQ(first.prepare().target_count(), 1u);
  EXPECT_EQ(first.prepare().balancer().kind(), v1::BALANCER_KIND_HAPROXY);
  EXPECT_TRUE(first.prepare().balancer().awaiting_endpoints());
  EXPECT_EQ(Desired("w2").prepare().target_count(), 1u);
  EXPECT_FALSE(Desired("w2").prepare().has_balancer());

  Report("w1", Ready(key, {"10.0.0.1:8001"}));
  scheduler_->RunOnce();
  EXPECT_TRUE(Desired("w1").prepare().balancer().awaiting_endpoints());
  Report("w2", Ready(key, {"10.0.0.2:8002"}));
  scheduler_->RunOnce();
  // Every endpoint known: w1 starts the balancer in front of both.
  const v1::DesiredState second = Desired("w1");
  ASSERT_TRUE(second.has_prepare()) << second.DebugString();
  EXPECT_FALSE(second.prepare().balancer().awaiting_endpoints());
  EXPECT_THAT(second.prepare().balancer().endpoints(),
              ElementsAre("10.0.0.1:8001", "10.0.0.2:8002"));
  // Still the Ready of its targets alone: no measuring yet.
  scheduler_->RunOnce();
  EXPECT_TRUE(Desired("w1").has_prepare());

  Report("w1", Ready(key, {"10.0.0.1:8001"}, "10.0.0.1:8080"));
  scheduler_->RunOnce();
  // Both hosts load the balancer from the same T0.
  for (const char* w : {"w1", "w2"}) {
    ASSERT_TRUE(Desired(w).has_measure()) << w;
    EXPECT_THAT(Desired(w).measure().urls(),
                ElementsAre("http://10.0.0.1:8080/"));
  }
  EXPECT_EQ(TimeFromProto(Desired("w1").measure().start_time()),
            TimeFromProto(Desired("w2").measure().start_time()));
  Report("w1", Finished(key), {Measured(key, "w1", 500, 5, clock_.Wall())});
  scheduler_->RunOnce();
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_MEASURING);  // w2 still runs.
  Report("w2", Finished(key), {Measured(key, "w2", 1000, 5, clock_.Wall())});
  scheduler_->RunOnce();
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_SUCCEEDED);
  // 100 + 200 requests/s, merged.
  EXPECT_DOUBLE_EQ(
      store_->results().GetTrialResult(key.trial())->requests_per_s(), 300.0);
  for (const char* w : {"w1", "w2"}) EXPECT_TRUE(Desired(w).has_idle());
}

TEST_F(SchedulerTest, ABalancerOnItsOwnHostObservesWhileTheOthersLoadIt) {
  Create(kBalancerOnItsOwnHost);
  for (const char* w : {"w1", "w2", "w3"}) Report(w, Idle());
  scheduler_->RunOnce();
  const v1::AttemptKey key = Key(0, 1);
  // w1 balances only: no targets, and it waits for the others' endpoints.
  const v1::DesiredState front = Desired("w1");
  ASSERT_TRUE(front.has_prepare()) << front.DebugString();
  EXPECT_EQ(front.prepare().target_count(), 0u);
  EXPECT_TRUE(front.prepare().balancer().awaiting_endpoints());
  for (const char* w : {"w2", "w3"}) {
    EXPECT_EQ(Desired(w).prepare().target_count(), 1u) << w;
    EXPECT_FALSE(Desired(w).prepare().has_balancer()) << w;
  }
  EXPECT_THAT(
      Trial(0).attempts(0).placement(),
      UnorderedElementsAre(Pair("balancer", "w1"), Pair("target/0", "w2"),
                           Pair("target/1", "w3"), Pair("loadgen/0", "w2"),
                           Pair("loadgen/1", "w3")));

  Report("w1", Ready(key, {}));
  Report("w2", Ready(key, {"10.0.0.2:8002"}));
  Report("w3", Ready(key, {"10.0.0.3:8003"}));
  scheduler_->RunOnce();
  EXPECT_THAT(Desired("w1").prepare().balancer().endpoints(),
              ElementsAre("10.0.0.2:8002", "10.0.0.3:8003"));
  Report("w1", Ready(key, {}, "10.0.0.1:8080"));
  scheduler_->RunOnce();
  // w2 and w3 load the balancer; w1 sends nothing and observes its cores
  // over the same window.
  for (const char* w : {"w2", "w3"}) {
    EXPECT_THAT(Desired(w).measure().urls(),
                ElementsAre("http://10.0.0.1:8080/"));
  }
  ASSERT_TRUE(Desired("w1").has_measure());
  EXPECT_TRUE(Desired("w1").measure().urls().empty());
  EXPECT_EQ(TimeFromProto(Desired("w1").measure().start_time()),
            TimeFromProto(Desired("w2").measure().start_time()));

  Report("w2", Finished(key), {Measured(key, "w2", 500, 5, clock_.Wall())});
  Report("w3", Finished(key), {Measured(key, "w3", 1000, 5, clock_.Wall())});
  scheduler_->RunOnce();
  // The balancer's host has not reported how busy it was yet.
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_MEASURING);
  v1::WorkerResult observed;
  *observed.mutable_key() = key;
  observed.set_worker_id("w1");
  observed.add_core_busy()->set_busy(0.97);
  Report("w1", Finished(key), {observed});
  scheduler_->RunOnce();
  ASSERT_EQ(Trial(0).state(), v1::TRIAL_STATE_SUCCEEDED);
  const v1::TrialResult result = *store_->results().GetTrialResult(key.trial());
  // Only the load generators' requests count: 100 + 200 requests/s.
  EXPECT_DOUBLE_EQ(result.requests_per_s(), 300.0);
  ASSERT_EQ(result.raw_size(), 3);
  EXPECT_EQ(result.raw(0).worker_id(), "w1");
  EXPECT_DOUBLE_EQ(result.raw(0).core_busy(0).busy(), 0.97);
}

TEST_F(SchedulerTest, RecoverMergesCompleteAttemptsAndRetriesTheOthers) {
  Create(kTwoConfigurations);
  google::protobuf::Map<std::string, std::string> roles;
  roles["target/0"] = "w1";
  roles["loadgen/0"] = "w1";
  ASSERT_TRUE(store_->trials().StartAttempt(Key(0, 1).trial(), roles).ok());
  ASSERT_TRUE(
      store_->trials()
          .SetTrialState(Key(0, 1).trial(), v1::TRIAL_STATE_COLLECTING, "")
          .ok());
  ASSERT_TRUE(
      store_->results()
          .StoreWorkerResult(Measured(Key(0, 1), "w1", 700, 5, clock_.Wall()))
          .ok());
  roles["target/0"] = "w2";
  roles["loadgen/0"] = "w2";
  ASSERT_TRUE(store_->trials().StartAttempt(Key(1, 1).trial(), roles).ok());

  // A new coordinator on the same store.
  Scheduler again(store_.get(), registry_.get(), &clock_);
  ASSERT_TRUE(again.Recover().ok());
  EXPECT_EQ(Trial(0).state(), v1::TRIAL_STATE_SUCCEEDED);
  EXPECT_DOUBLE_EQ(
      store_->results().GetTrialResult(Key(0, 1).trial())->requests_per_s(),
      140.0);
  const v1::Trial retried = Trial(1);
  EXPECT_EQ(retried.state(), v1::TRIAL_STATE_QUEUED);
  EXPECT_EQ(retried.attempts(0).failure().kind(),
            v1::FAILURE_KIND_COORDINATOR_RESTARTED);
}

TEST_F(SchedulerTest, AnAdaptivePolicyAddsRoundsUntilItsMaximum) {
  Create(kAdaptive);
  Report("w1", Idle());
  scheduler_->RunOnce();
  // Six runs from 20 to 120 requests/s: the median's interval [20, 120] is
  // far wider than 1% of it, so one more round of one trial follows.
  for (int n = 0; n < 6; ++n) RunThrough(n, 1, "w1", 100 * (n + 1));
  scheduler_->RunOnce();
  EXPECT_EQ(Experiment().state(), v1::EXPERIMENT_STATE_RUNNING);
  absl::StatusOr<std::vector<v1::Trial>> trials =
      store_->trials().ListTrials("exp-000001");
  ASSERT_TRUE(trials.ok());
  ASSERT_EQ(trials->size(), 7u);
  EXPECT_EQ(trials->back().repetition(), 6u);
  EXPECT_EQ(trials->back().configuration_index(), 0u);
  // The seventh reaches max = 7: done, however wide.
  RunThrough(6, 1, "w1", 350);
  scheduler_->RunOnce();
  EXPECT_EQ(Experiment().state(), v1::EXPERIMENT_STATE_SUCCEEDED);
  EXPECT_EQ(store_->trials().ListTrials("exp-000001")->size(), 7u);
}

TEST(AfterFailureTest, TheRetryBudgetCountsOnlyTheTrialsOwnFailures) {
  v1::Failure timeout;
  timeout.set_kind(v1::FAILURE_KIND_TIMEOUT);
  v1::Failure restart;
  restart.set_kind(v1::FAILURE_KIND_COORDINATOR_RESTARTED);
  v1::Attempt restarted;
  *restarted.mutable_failure() = restart;
  v1::Attempt timed_out;
  *timed_out.mutable_failure() = timeout;
  const v1::Attempt now;  // The attempt failing now.
  EXPECT_EQ(AfterFailure(timeout, {restarted, now}, 2), v1::TRIAL_STATE_QUEUED);
  EXPECT_EQ(AfterFailure(timeout, {timed_out, now}, 2), v1::TRIAL_STATE_FAILED);
  EXPECT_EQ(AfterFailure(restart, {timed_out, now}, 2), v1::TRIAL_STATE_QUEUED);
  v1::Failure invalid;
  invalid.set_kind(v1::FAILURE_KIND_INVALID_ASSIGNMENT);
  EXPECT_EQ(AfterFailure(invalid, {now}, 3), v1::TRIAL_STATE_FAILED);
  v1::Failure cancel;
  cancel.set_kind(v1::FAILURE_KIND_CANCELLED);
  EXPECT_EQ(AfterFailure(cancel, {now}, 3), v1::TRIAL_STATE_CANCELLED);
}

}  // namespace
}  // namespace scalebench::coordinator::trial_scheduler_test
