// The scheduler and each attempt's state machine on a FakeClock, with a
// real store (a temp file) and the real worker registry; the "workers" are
// this test, reporting states through WorkerRegistry::Synchronize.
#include "coordinator/trials/trial_scheduler.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/fake_clock.h"
#include "common/proto_time.h"
#include "coordinator/store/stores_testing.h"
#include "coordinator/trials/attempt_run.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "results/histogram.h"
#include "spec/spec_yaml.h"

namespace scalebench::coordinator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr char kTwoConfigurations[] = R"yaml(
name: sched
repetitions: 1
order: sequential
loadgen:
  connections: 10
  duration: 5s
sweep:
  instances: [1, 2]
timeouts:
  prepare: 20s
  start_lead: 2s
retry:
  max_attempts: 2
)yaml";

constexpr char kOneConfiguration[] = R"yaml(
name: one
repetitions: 1
loadgen:
  duration: 5s
timeouts:
  prepare: 20s
  start_lead: 2s
retry:
  max_attempts: 2
)yaml";

constexpr char kTwoHostsBehindHaproxy[] = R"yaml(
name: front
repetitions: 1
loadgen:
  duration: 5s
sweep:
  instances: [2]
  hosts: [2]
  balancer: [haproxy]
)yaml";

constexpr char kBalancerOnItsOwnHost[] = R"yaml(
name: own-balancer
loadgen:
  duration: 5s
sweep:
  instances: [2]
  hosts: [2]
  balancer: [haproxy]
placement:
  balancer: own_host
)yaml";

// Issue 25: USL and Amdahl without `by`. With no result to fit, the
// coordinator crashed concluding the experiment, and again after each
// restart.
constexpr char kUslWithoutBy[] = R"yaml(
name: usl
repetitions: 1
loadgen:
  duration: 5s
retry:
  max_attempts: 1
models:
  - {fit: usl, x: instances, y: requests_per_s}
  - {fit: amdahl, x: instances, y: requests_per_s}
)yaml";

constexpr char kAdaptive[] = R"yaml(
name: adaptive
repetitions: {until: {ci_halfwidth: 0.01, min: 6, max: 7}}
loadgen:
  duration: 5s
)yaml";

v1::AttemptKey Key(int trial, int attempt) {
  v1::AttemptKey key;
  key.set_trial(absl::StrCat("experiments/exp-000001/trials/", trial));
  key.set_attempt(attempt);
  return key;
}

v1::WorkerState Idle() {
  v1::WorkerState s;
  s.mutable_idle();
  return s;
}
v1::WorkerState Preparing(const v1::AttemptKey& key) {
  v1::WorkerState s;
  *s.mutable_preparing()->mutable_key() = key;
  return s;
}
v1::WorkerState Ready(const v1::AttemptKey& key,
                      std::vector<std::string> targets,
                      std::string balancer = "") {
  v1::WorkerState s;
  *s.mutable_ready()->mutable_key() = key;
  for (std::string& t : targets) s.mutable_ready()->add_target_endpoints(t);
  s.mutable_ready()->set_balancer_endpoint(balancer);
  return s;
}
v1::WorkerState Measuring(const v1::AttemptKey& key) {
  v1::WorkerState s;
  *s.mutable_measuring()->mutable_key() = key;
  return s;
}
v1::WorkerState Finished(const v1::AttemptKey& key) {
  v1::WorkerState s;
  *s.mutable_finished()->mutable_key() = key;
  return s;
}

// A measurement of `requests` requests of 1 ms each over `seconds`.
v1::WorkerResult Measured(const v1::AttemptKey& key, const std::string& worker,
                          uint64_t requests, int seconds, absl::Time start) {
  v1::WorkerResult result;
  *result.mutable_key() = key;
  result.set_worker_id(worker);
  v1::LoadgenResult& load = *result.mutable_loadgen();
  load.set_source(worker);
  load.set_mode(v1::LOAD_MODE_CLOSED);
  load.set_requests(requests);
  load.mutable_status_classes()->set_status_2xx(requests);
  results::Histogram histogram;
  for (uint64_t i = 0; i < requests; ++i) histogram.Record(1'000'000);
  *load.mutable_latency() = histogram.ToProto();
  *load.mutable_start_time() = TimeToProto(start);
  *load.mutable_duration() = DurationToProto(absl::Seconds(seconds));
  return result;
}

v1::WorkerResult Failed(const v1::AttemptKey& key, const std::string& worker,
                        v1::FailureKind kind, const std::string& reason) {
  v1::WorkerResult result;
  *result.mutable_key() = key;
  result.set_worker_id(worker);
  result.mutable_failure()->set_kind(kind);
  result.mutable_failure()->set_reason(reason);
  return result;
}

class SchedulerTest : public StoresTest {
 protected:
  void SetUp() override {
    StoresTest::SetUp();
    if (HasFatalFailure()) return;
    registry_ = std::make_unique<WorkerRegistry>(store_.get(), &clock_);
    scheduler_ =
        std::make_unique<Scheduler>(store_.get(), registry_.get(), &clock_);
  }
  void TearDown() override {
    scheduler_.reset();
    registry_.reset();
    StoresTest::TearDown();
  }

  void Create(const char* yaml) {
    absl::StatusOr<v1::ExperimentSpec> spec = spec::ParseSpecYaml(yaml, "t");
    ASSERT_TRUE(spec.ok()) << spec.status();
    ASSERT_TRUE(
        store_->experiments().CreateExperiment(*spec, yaml, "", 7).ok());
  }

  // One exchange of worker `id`; a held call is answered later (or at the
  // registry's shutdown) and its response ignored: the test reads the
  // desired state from the registry.
  void Report(const std::string& id, const v1::WorkerState& current,
              std::vector<v1::WorkerResult> results = {},
              const std::string& session = "s1") {
    v1::SynchronizeRequest request;
    request.set_worker_id(id);
    request.set_session_id(session);
    *request.mutable_facts() = facts_;
    *request.mutable_current() = current;
    for (v1::WorkerResult& r : results) *request.add_results() = r;
    auto response = std::make_shared<v1::SynchronizeResponse>();
    registry_->Synchronize(request, clock_.Wall(), response.get(),
                           [response](absl::Status) {});
  }

  v1::DesiredState Desired(const std::string& id) {
    std::optional<WorkerInfo> info = registry_->Get(id);
    EXPECT_TRUE(info.has_value()) << id;
    return info.has_value() ? info->desired : v1::DesiredState();
  }

  v1::Trial Trial(int n) {
    absl::StatusOr<v1::Trial> trial = store_->trials().GetTrial(
        absl::StrCat("experiments/exp-000001/trials/", n));
    EXPECT_TRUE(trial.ok()) << trial.status();
    return trial.value_or(v1::Trial());
  }

  // As `scalebench run` has it: no other worker can join.
  void UseAClosedCluster() {
    SchedulerOptions options;
    options.closed_cluster = true;
    scheduler_ = std::make_unique<Scheduler>(store_.get(), registry_.get(),
                                             &clock_, options);
  }

  v1::Experiment Experiment() {
    absl::StatusOr<v1::Experiment> e = store_->experiments().GetExperiment(
        "exp-000001", v1::EXPERIMENT_VIEW_BASIC);
    EXPECT_TRUE(e.ok()) << e.status();
    return e.value_or(v1::Experiment());
  }

  // Carries trial `n`'s attempt on `worker` through ready, a measurement
  // of `requests` requests, and back to idle.
  void RunThrough(int n, int attempt, const std::string& worker,
                  uint64_t requests) {
    const v1::AttemptKey key = Key(n, attempt);
    Report(worker, Ready(key, {"127.0.0.1:9000"}));
    scheduler_->RunOnce();
    ASSERT_TRUE(Desired(worker).has_measure()) << Desired(worker).DebugString();
    Report(worker, Finished(key),
           {Measured(key, worker, requests, 5, clock_.Wall())});
    scheduler_->RunOnce();
    Report(worker, Idle());
    scheduler_->RunOnce();
  }

  // What Report() says of every worker: native, behind haproxy.
  v1::HostFacts facts_ = [] {
    v1::HostFacts facts;
    facts.add_platforms(v1::PLATFORM_NATIVE);
    facts.add_balancers(v1::BALANCER_KIND_HAPROXY);
    return facts;
  }();
  std::unique_ptr<WorkerRegistry> registry_;
  std::unique_ptr<Scheduler> scheduler_;
};

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
  Report("w1", Idle());
  scheduler_->RunOnce();
  Report("w1", Finished(Key(0, 1)),
         {Failed(Key(0, 1), "w1", v1::FAILURE_KIND_TARGET_START,
                 "target 0: nginx exited with status 1")});
  scheduler_->RunOnce();
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
  Report("w1", Idle());
  scheduler_->RunOnce();
  Report("w1", Finished(Key(0, 1)),
         {Failed(Key(0, 1), "w1", v1::FAILURE_KIND_TARGET_START,
                 "target 0: nginx exited with status 1")});
  scheduler_->RunOnce();
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
  ASSERT_TRUE(store_->experiments()
                  .SetExperimentState("exp-000001",
                                      v1::EXPERIMENT_STATE_CANCELLING,
                                      "cancel requested")
                  .ok());
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
  ASSERT_TRUE(store_->experiments()
                  .SetExperimentState("exp-000001",
                                      v1::EXPERIMENT_STATE_CANCELLING,
                                      "cancel requested")
                  .ok());
  const size_t before = store_->experiments().Events("exp-000001", 0)->size();
  scheduler_->RunOnce();
  const v1::Experiment cancelled = Experiment();
  EXPECT_EQ(cancelled.state(), v1::EXPERIMENT_STATE_CANCELLED);
  EXPECT_EQ(cancelled.waiting_for(), "");
  for (int n = 0; n < 3; ++n) {
    EXPECT_EQ(Trial(n).state(), v1::TRIAL_STATE_CANCELLED);
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
}  // namespace scalebench::coordinator
