// Test-only: the fixture and helpers worker_service_test.cc and
// worker_registry_test.cc share. Not thread-safe.
#ifndef SCALEBENCH_COORDINATOR_RPC_WORKER_SERVICE_TEST_FIXTURE_H_
#define SCALEBENCH_COORDINATOR_RPC_WORKER_SERVICE_TEST_FIXTURE_H_

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "api/resource_names.h"
#include "api/synchronize_limits.h"
#include "common/fake_clock.h"
#include "common/grpc_channel.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"
#include "coordinator/rpc/worker_service.h"
#include "coordinator/store/stores_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "results/histogram.h"
#include "spec/spec_yaml.h"
#include "worker/agent/sync_client.h"
#include "worker/spool.h"

namespace scalebench::coordinator::worker_service_test {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

inline constexpr char kSpecYaml[] = R"yaml(
name: worker-service-test
repetitions: 1
loadgen:
  mode: closed
  connections: 10
  duration: 1s
sweep:
  instances: [1]
)yaml";
inline constexpr char kWorker[] = "host-a";
// Short, so tests whose call is held stay fast.
inline constexpr absl::Duration kHold = absl::Milliseconds(200);

// A plausible measurement by `worker` for attempt 1 of `trial`: `requests`
// requests of 1 ms each in the second that ended a second before `now`.
inline v1::WorkerResult Measurement(const std::string& trial,
                                    const std::string& worker,
                                    uint64_t requests, absl::Time now) {
  v1::WorkerResult r;
  r.mutable_key()->set_trial(trial);
  r.mutable_key()->set_attempt(1);
  r.set_worker_id(worker);
  v1::LoadgenResult& load = *r.mutable_loadgen();
  load.set_requests(requests);
  results::Histogram latency;
  for (uint64_t i = 0; i < requests; ++i) latency.Record(1'000'000);
  *load.mutable_latency() = latency.ToProto();
  *load.mutable_start_time() = TimeToProto(now - absl::Seconds(2));
  *load.mutable_duration() = DurationToProto(absl::Seconds(1));
  return r;
}

// Does what it is told at once: a Prepare makes it Preparing, a Measure
// Measuring, anything else idle.
class AdoptingExecutor final : public worker::AssignmentExecutor {
 public:
  void Apply(const v1::DesiredState& desired,
             const worker::ClockSync&) override {
    absl::MutexLock lock(&mu_);
    applied_.push_back(desired);
    current_.Clear();
    if (desired.has_prepare()) {
      *current_.mutable_preparing()->mutable_key() = desired.prepare().key();
    } else if (desired.has_measure()) {
      *current_.mutable_measuring()->mutable_key() = desired.measure().key();
    } else {
      current_.mutable_idle();
    }
  }
  v1::WorkerState Current() override {
    absl::MutexLock lock(&mu_);
    if (current_.state_case() == v1::WorkerState::STATE_NOT_SET) {
      current_.mutable_idle();
    }
    return current_;
  }
  std::vector<v1::DesiredState> applied() {
    absl::MutexLock lock(&mu_);
    return applied_;
  }
  // Moves on by itself, as after a phase's work.
  void Set(const v1::WorkerState& state) {
    absl::MutexLock lock(&mu_);
    current_ = state;
  }

 private:
  absl::Mutex mu_;
  v1::WorkerState current_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::DesiredState> applied_ ABSL_GUARDED_BY(mu_);
};

class WorkerServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "/wsvc-XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    if (registry_) registry_->Shutdown();
    if (server_) server_->Shutdown();
    server_.reset();
    service_.reset();
    registry_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A store with one experiment whose trial 0 has attempt 1 running.
  void OpenStore(Clock* clock) {
    absl::StatusOr<std::unique_ptr<Stores>> store =
        Stores::Open(dir_ + "/coordinator.db", clock);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    absl::StatusOr<v1::ExperimentSpec> spec =
        spec::ParseSpecYaml(kSpecYaml, "t");
    ASSERT_TRUE(spec.ok()) << spec.status();
    ASSERT_TRUE(store_->experiments().CreateExperiment(*spec, "", "", 1).ok());
    google::protobuf::Map<std::string, std::string> placement;
    placement["target/0"] = kWorker;
    placement["loadgen/0"] = kWorker;
    absl::StatusOr<v1::Attempt> attempt =
        store_->trials().StartAttempt(trial_, placement);
    ASSERT_TRUE(attempt.ok()) << attempt.status();
  }

  void StartServer(absl::Duration hold = kHold) {
    OpenStore(Clock::Real());
    WorkerRegistryOptions options;
    options.hold = hold;
    options.margin = absl::Seconds(1);
    options.grace = absl::Seconds(1);
    registry_ =
        std::make_unique<WorkerRegistry>(store_.get(), Clock::Real(), options);
    ASSERT_TRUE(registry_->Recover().ok());
    service_ =
        std::make_unique<WorkerServiceImpl>(registry_.get(), Clock::Real());
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        MakeChannel(absl::StrCat("127.0.0.1:", port_), TransportSecurity{});
    ASSERT_TRUE(channel.ok()) << channel.status();
    channel_ = *channel;
  }

  // A client over `spool` after `result` was spooled and one exchange
  // (which must succeed) delivered it.
  std::unique_ptr<worker::SyncClient> DeliverOnce(
      worker::Spool* spool, const v1::WorkerResult& result) {
    EXPECT_TRUE(spool->Store(result).ok());
    std::unique_ptr<worker::SyncClient> client = MakeClient(spool);
    absl::StatusOr<absl::Time> next = client->SynchronizeOnce();
    EXPECT_TRUE(next.ok()) << next.status();
    return client;
  }

  // The store holds one result of the attempt, with `requests` requests.
  void ExpectOneStoredResult(uint64_t requests) {
    absl::StatusOr<std::vector<v1::WorkerResult>> stored =
        store_->results().ListWorkerResults(Result(0).key());
    ASSERT_TRUE(stored.ok()) << stored.status();
    ASSERT_THAT(*stored, SizeIs(1));
    EXPECT_EQ((*stored)[0].loadgen().requests(), requests);
  }

  worker::Spool NewSpool() {
    return *worker::Spool::Open(dir_ + "/spool-" + std::to_string(spools_++));
  }

  std::unique_ptr<worker::SyncClient> MakeClient(
      worker::Spool* spool, const std::string& session = "session-1") {
    worker::SyncOptions options;
    options.worker_id = kWorker;
    options.session_id = session;
    options.call_timeout = absl::Seconds(20);
    v1::HostFacts facts;
    facts.mutable_environment()->set_hostname("host-a.example");
    facts.add_cpus(0);
    facts.add_cpus(1);
    return std::make_unique<worker::SyncClient>(channel_, options, facts, spool,
                                                &executor_, Clock::Real());
  }

  // A plausible measurement of `requests` requests of 1 ms each in the
  // second before the last one.
  v1::WorkerResult Result(uint64_t requests) {
    return Measurement(trial_, kWorker, requests, Clock::Real()->Wall());
  }

  v1::DesiredState Prepare() {
    v1::DesiredState d;
    d.mutable_prepare()->mutable_key()->set_trial(trial_);
    d.mutable_prepare()->mutable_key()->set_attempt(1);
    return d;
  }

  // Waits (briefly) until the registry holds a call.
  void AwaitHeldCall() {
    for (int i = 0; i < 500 && registry_->TEST_HeldCalls() == 0; ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    ASSERT_EQ(registry_->TEST_HeldCalls(), 1);
  }

  std::string dir_;
  const std::string trial_ = api::TrialName("exp-000001", 0);
  int spools_ = 0;
  std::unique_ptr<Stores> store_;
  std::unique_ptr<WorkerRegistry> registry_;
  std::unique_ptr<WorkerServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  int port_ = 0;
  AdoptingExecutor executor_;
};

}  // namespace scalebench::coordinator::worker_service_test

#endif  // SCALEBENCH_COORDINATOR_RPC_WORKER_SERVICE_TEST_FIXTURE_H_
