// Test-only: the fixture and helpers trial_scheduler_test.cc and
// trial_scheduler_placement_test.cc share. Not thread-safe.
#ifndef SCALEBENCH_COORDINATOR_TRIALS_TRIAL_SCHEDULER_TEST_FIXTURE_H_
#define SCALEBENCH_COORDINATOR_TRIALS_TRIAL_SCHEDULER_TEST_FIXTURE_H_

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
#include "coordinator/trials/trial_scheduler.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "results/histogram.h"
#include "spec/spec_yaml.h"

namespace scalebench::coordinator::trial_scheduler_test {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

inline constexpr char kTwoConfigurations[] = R"yaml(
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

inline constexpr char kOneConfiguration[] = R"yaml(
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

inline constexpr char kTwoHostsBehindHaproxy[] = R"yaml(
name: front
repetitions: 1
loadgen:
  duration: 5s
sweep:
  instances: [2]
  hosts: [2]
  balancer: [haproxy]
)yaml";

inline constexpr char kBalancerOnItsOwnHost[] = R"yaml(
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
inline constexpr char kUslWithoutBy[] = R"yaml(
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

inline constexpr char kAdaptive[] = R"yaml(
name: adaptive
repetitions: {until: {ci_halfwidth: 0.01, min: 6, max: 7}}
loadgen:
  duration: 5s
)yaml";

inline v1::AttemptKey Key(int trial, int attempt) {
  v1::AttemptKey key;
  key.set_trial(absl::StrCat("experiments/exp-000001/trials/", trial));
  key.set_attempt(attempt);
  return key;
}

inline v1::WorkerState Idle() {
  v1::WorkerState s;
  s.mutable_idle();
  return s;
}
inline v1::WorkerState Preparing(const v1::AttemptKey& key) {
  v1::WorkerState s;
  *s.mutable_preparing()->mutable_key() = key;
  return s;
}
inline v1::WorkerState Ready(const v1::AttemptKey& key,
                             std::vector<std::string> targets,
                             std::string balancer = "") {
  v1::WorkerState s;
  *s.mutable_ready()->mutable_key() = key;
  for (std::string& t : targets) s.mutable_ready()->add_target_endpoints(t);
  s.mutable_ready()->set_balancer_endpoint(balancer);
  return s;
}
inline v1::WorkerState Measuring(const v1::AttemptKey& key) {
  v1::WorkerState s;
  *s.mutable_measuring()->mutable_key() = key;
  return s;
}
inline v1::WorkerState Finished(const v1::AttemptKey& key) {
  v1::WorkerState s;
  *s.mutable_finished()->mutable_key() = key;
  return s;
}

// A measurement of `requests` requests of 1 ms each over `seconds`.
inline v1::WorkerResult Measured(const v1::AttemptKey& key,
                                 const std::string& worker, uint64_t requests,
                                 int seconds, absl::Time start) {
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

inline v1::WorkerResult Failed(const v1::AttemptKey& key,
                               const std::string& worker, v1::FailureKind kind,
                               const std::string& reason) {
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

  // Marks the experiment CANCELLING, as CancelExperiment does while a trial
  // runs; the scheduler's next pass finishes the cancel.
  void RequestCancel() {
    ASSERT_TRUE(store_->experiments()
                    .SetExperimentState("exp-000001",
                                        v1::EXPERIMENT_STATE_CANCELLING,
                                        "cancel requested")
                    .ok());
  }

  // Places trial 0's first attempt on w1, which then reports that its
  // target did not start (nginx exited with status 1).
  void FailTheFirstAttemptsTargetStart() {
    Report("w1", Idle());
    scheduler_->RunOnce();
    Report("w1", Finished(Key(0, 1)),
           {Failed(Key(0, 1), "w1", v1::FAILURE_KIND_TARGET_START,
                   "target 0: nginx exited with status 1")});
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

}  // namespace scalebench::coordinator::trial_scheduler_test

#endif  // SCALEBENCH_COORDINATOR_TRIALS_TRIAL_SCHEDULER_TEST_FIXTURE_H_
