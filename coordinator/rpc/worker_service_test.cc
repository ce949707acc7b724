#include "coordinator/rpc/worker_service.h"

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
#include "coordinator/store/stores_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "results/histogram.h"
#include "spec/spec_yaml.h"
#include "worker/agent/sync_client.h"
#include "worker/spool.h"

namespace scalebench::coordinator {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr char kSpecYaml[] = R"yaml(
name: worker-service-test
repetitions: 1
loadgen:
  mode: closed
  connections: 10
  duration: 1s
sweep:
  instances: [1]
)yaml";
constexpr char kWorker[] = "host-a";
// Short, so tests whose call is held stay fast.
constexpr absl::Duration kHold = absl::Milliseconds(200);

// A plausible measurement by `worker` for attempt 1 of `trial`: `requests`
// requests of 1 ms each in the second that ended a second before `now`.
v1::WorkerResult Measurement(const std::string& trial,
                             const std::string& worker, uint64_t requests,
                             absl::Time now) {
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

TEST_F(WorkerServiceTest, ResultsAreStoredOnceAndAcknowledged) {
  StartServer();
  worker::Spool spool = NewSpool();
  ASSERT_TRUE(spool.Store(Result(100)).ok());
  auto client = MakeClient(&spool);

  ASSERT_TRUE(client->SynchronizeOnce().ok());

  absl::StatusOr<std::vector<v1::WorkerResult>> spooled = spool.List();
  ASSERT_TRUE(spooled.ok());
  EXPECT_THAT(*spooled, SizeIs(0));
  absl::StatusOr<std::vector<v1::WorkerResult>> stored =
      store_->results().ListWorkerResults(Result(0).key());
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_THAT(*stored, SizeIs(1));
  EXPECT_EQ((*stored)[0].loadgen().requests(), 100u);
}

TEST_F(WorkerServiceTest, ADuplicateDeliveryIsAcknowledgedButNotStored) {
  StartServer();
  worker::Spool spool = NewSpool();
  ASSERT_TRUE(spool.Store(Result(100)).ok());
  auto client = MakeClient(&spool);
  ASSERT_TRUE(client->SynchronizeOnce().ok());
  // The same result again (as after a lost acknowledgement), changed.
  ASSERT_TRUE(spool.Store(Result(999)).ok());

  ASSERT_TRUE(client->SynchronizeOnce().ok());

  EXPECT_THAT(*spool.List(), SizeIs(0));
  absl::StatusOr<std::vector<v1::WorkerResult>> stored =
      store_->results().ListWorkerResults(Result(0).key());
  ASSERT_TRUE(stored.ok());
  ASSERT_THAT(*stored, SizeIs(1));
  EXPECT_EQ((*stored)[0].loadgen().requests(), 100u);
}

TEST_F(WorkerServiceTest, AResultForAnUnknownAttemptIsDroppedNotResentForever) {
  StartServer();
  worker::Spool spool = NewSpool();
  v1::WorkerResult orphan = Result(100);
  orphan.mutable_key()->set_attempt(7);
  ASSERT_TRUE(spool.Store(orphan).ok());
  auto client = MakeClient(&spool);

  ASSERT_TRUE(client->SynchronizeOnce().ok());

  EXPECT_THAT(*spool.List(), SizeIs(0));
  absl::StatusOr<std::vector<v1::WorkerResult>> stored =
      store_->results().ListWorkerResults(orphan.key());
  EXPECT_TRUE(!stored.ok() || stored->empty());
}

TEST_F(WorkerServiceTest, FactsAreStoredAndKeptWhenNotResent) {
  StartServer();
  worker::Spool spool = NewSpool();
  auto client = MakeClient(&spool);
  ASSERT_TRUE(client->SynchronizeOnce().ok());
  // The second call carries no facts; the stored ones stay.
  ASSERT_TRUE(client->SynchronizeOnce().ok());

  absl::StatusOr<std::vector<v1::Worker>> workers =
      store_->workers().ListWorkers();
  ASSERT_TRUE(workers.ok()) << workers.status();
  ASSERT_THAT(*workers, SizeIs(1));
  EXPECT_EQ((*workers)[0].name(), "workers/host-a");
  EXPECT_EQ((*workers)[0].status(), v1::WORKER_STATUS_IDLE);
  EXPECT_EQ((*workers)[0].facts().environment().hostname(), "host-a.example");
  EXPECT_THAT((*workers)[0].facts().cpus(), SizeIs(2));
  std::optional<WorkerInfo> info = registry_->Get(kWorker);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->facts.environment().hostname(), "host-a.example");
  EXPECT_EQ(info->session_id, "session-1");
  EXPECT_TRUE(info->current.has_idle());
}

TEST_F(WorkerServiceTest, ClockOffsetOnLoopbackIsNearZero) {
  StartServer();
  worker::Spool spool = NewSpool();
  auto client = MakeClient(&spool);
  ASSERT_TRUE(client->SynchronizeOnce().ok());
  EXPECT_FALSE(registry_->Get(kWorker)->clock.has_value());
  // The second request carries the first exchange's four timestamps.
  ASSERT_TRUE(client->SynchronizeOnce().ok());

  std::optional<WorkerInfo> info = registry_->Get(kWorker);
  ASSERT_TRUE(info.has_value());
  ASSERT_TRUE(info->clock.has_value());
  // Same host, same clock: only scheduling noise.
  EXPECT_LT(absl::AbsDuration(info->clock->offset), absl::Milliseconds(50));
  EXPECT_GE(info->clock->round_trip, absl::ZeroDuration());
  EXPECT_LT(info->clock->round_trip, absl::Milliseconds(100));
}

TEST_F(WorkerServiceTest, AnIdleWorkerIsHeldThenAnswered) {
  StartServer();
  worker::Spool spool = NewSpool();
  auto client = MakeClient(&spool);
  const absl::Time start = absl::Now();
  absl::StatusOr<absl::Time> next = client->SynchronizeOnce();
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_GE(absl::Now() - start, kHold - absl::Milliseconds(20));
  EXPECT_GT(*next, absl::Now());
  ASSERT_THAT(executor_.applied(), SizeIs(1));
  EXPECT_TRUE(executor_.applied()[0].has_idle());
}

TEST_F(WorkerServiceTest, ADesiredStateSetDuringTheHoldIsDeliveredAtOnce) {
  const absl::Duration long_hold = absl::Seconds(20);
  StartServer(long_hold);
  worker::Spool spool = NewSpool();
  auto client = MakeClient(&spool);
  const absl::Time start = absl::Now();
  absl::StatusOr<absl::Time> next;
  std::thread call([&] { next = client->SynchronizeOnce(); });
  AwaitHeldCall();

  registry_->SetDesired(kWorker, Prepare());
  call.join();

  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_LT(absl::Now() - start, long_hold / 2);
  ASSERT_THAT(executor_.applied(), SizeIs(1));
  EXPECT_EQ(executor_.applied()[0].prepare().key().trial(), trial_);
  // The worker now reports Preparing the same attempt: nothing new to say,
  // so a SetDesired of the same state does not end the next hold.
  std::thread again([&] { next = client->SynchronizeOnce(); });
  AwaitHeldCall();
  registry_->SetDesired(kWorker, Prepare());
  EXPECT_EQ(registry_->TEST_HeldCalls(), 1);
  v1::DesiredState idle;
  idle.mutable_idle();
  registry_->SetDesired(kWorker, idle);  // Differs from Preparing.
  again.join();
  ASSERT_TRUE(next.ok()) << next.status();
}

TEST_F(WorkerServiceTest, AStateChangeEndsTheHeldCallAndIsReportedAtOnce) {
  StartServer(absl::Hours(1));  // No hold ends by itself in this test.
  registry_->SetDesired(kWorker, Prepare());
  worker::Spool spool = NewSpool();
  auto client = MakeClient(&spool);
  absl::Notification stop;
  std::thread loop([&] { client->Run(stop); });
  // Told to prepare, it reports Preparing, which matches: held.
  for (int i = 0; i < 500; ++i) {
    std::optional<WorkerInfo> info = registry_->Get(kWorker);
    if (info.has_value() && info->current.has_preparing() &&
        registry_->TEST_HeldCalls() == 1) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(registry_->TEST_HeldCalls(), 1);

  // Ready (still what Prepare leads to, so the coordinator would hold on):
  // only the client's own cancel brings the news before the hour is up.
  v1::WorkerState ready;
  *ready.mutable_ready()->mutable_key() = Prepare().prepare().key();
  ready.mutable_ready()->add_target_endpoints("127.0.0.1:8080");
  executor_.Set(ready);
  client->StateChanged();
  bool reported = false;
  for (int i = 0; i < 500 && !reported; ++i) {
    std::optional<WorkerInfo> info = registry_->Get(kWorker);
    reported = info.has_value() && info->current.has_ready();
    if (!reported) absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(reported);
  stop.Notify();
  registry_->Shutdown();  // Ends the call held now.
  loop.join();
}

TEST_F(WorkerServiceTest, ANewSessionIsReportedAsARestart) {
  StartServer();
  worker::Spool spool = NewSpool();
  ASSERT_TRUE(MakeClient(&spool, "session-1")->SynchronizeOnce().ok());
  ASSERT_TRUE(MakeClient(&spool, "session-1")->SynchronizeOnce().ok());
  EXPECT_THAT(registry_->TakeRestarted(), SizeIs(0));

  ASSERT_TRUE(MakeClient(&spool, "session-2")->SynchronizeOnce().ok());

  EXPECT_THAT(registry_->TakeRestarted(), UnorderedElementsAre(kWorker));
  EXPECT_THAT(registry_->TakeRestarted(), SizeIs(0));
  std::optional<WorkerInfo> info = registry_->Get(kWorker);
  EXPECT_EQ(info->session_id, "session-2");
  EXPECT_EQ(info->restarts, 1);
}

TEST_F(WorkerServiceTest, MalformedRequestsAreRejectedNamingTheField) {
  StartServer();
  auto stub = v1::WorkerService::NewStub(channel_);
  v1::SynchronizeRequest request;
  request.set_worker_id(kWorker);
  request.set_session_id("s");
  request.mutable_current()->mutable_idle();
  for (size_t i = 0; i <= api::kMaxResultsPerSynchronize; ++i) {
    *request.add_results() = Result(i);
  }
  {
    grpc::ClientContext context;
    v1::SynchronizeResponse response;
    grpc::Status status = stub->Synchronize(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("results"));
  }
  request.clear_results();
  request.set_worker_id("no/slashes");
  {
    grpc::ClientContext context;
    v1::SynchronizeResponse response;
    grpc::Status status = stub->Synchronize(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("worker_id"));
  }
  request.set_worker_id(kWorker);
  v1::WorkerResult foreign = Result(1);
  foreign.set_worker_id("host-b");
  *request.add_results() = foreign;
  {
    grpc::ClientContext context;
    v1::SynchronizeResponse response;
    grpc::Status status = stub->Synchronize(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("results[0].worker_id"));
  }
  // Nothing of the rejected requests was recorded.
  EXPECT_FALSE(registry_->Get(kWorker).has_value());
  EXPECT_THAT(*store_->workers().ListWorkers(), SizeIs(0));
}

TEST_F(WorkerServiceTest, ShutdownEndsAHeldCallWithUnavailable) {
  StartServer(absl::Seconds(20));
  worker::Spool spool = NewSpool();
  auto client = MakeClient(&spool);
  absl::StatusOr<absl::Time> next;
  std::thread call([&] { next = client->SynchronizeOnce(); });
  AwaitHeldCall();

  registry_->Shutdown();
  call.join();

  EXPECT_EQ(next.status().code(), absl::StatusCode::kUnavailable);
  // And new calls are refused the same way.
  EXPECT_EQ(client->SynchronizeOnce().status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(WorkerRegistryTest, ASilentWorkerIsLost) {
  std::string dir = ::testing::TempDir() + "/wsvc-lost-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
  auto store = Stores::Open(std::string(dir) + "/coordinator.db", &clock);
  ASSERT_TRUE(store.ok()) << store.status();
  WorkerRegistryOptions options;
  options.hold = absl::Seconds(5);
  options.margin = absl::Seconds(5);
  options.grace = absl::Seconds(10);
  WorkerRegistry registry(store->get(), &clock, options);
  // A desired state that differs from the reported one: answered at once.
  v1::DesiredState prepare;
  prepare.mutable_prepare()->mutable_key()->set_trial("t");
  registry.SetDesired("host-a", prepare);
  auto synchronize = [&] {
    v1::SynchronizeRequest request;
    request.set_worker_id("host-a");
    request.set_session_id("s");
    request.mutable_current()->mutable_idle();
    v1::SynchronizeResponse response;
    absl::Status result = absl::InternalError("not completed");
    registry.Synchronize(request, clock.Wall(), &response,
                         [&](absl::Status s) { result = s; });
    EXPECT_TRUE(result.ok()) << result;
    return response;
  };
  v1::SynchronizeResponse response = synchronize();
  EXPECT_TRUE(response.desired().has_prepare());
  EXPECT_EQ(TimeFromProto(response.next_synchronization_time()),
            clock.Wall() + absl::Seconds(10));

  // Up to next_synchronization_time + grace it is merely late.
  clock.Advance(absl::Seconds(20));
  EXPECT_THAT(registry.ExpireLost(clock.Wall()), SizeIs(0));
  clock.Advance(absl::Seconds(1));
  EXPECT_THAT(registry.ExpireLost(clock.Wall()),
              UnorderedElementsAre("host-a"));
  EXPECT_THAT(registry.ExpireLost(clock.Wall()), SizeIs(0));
  EXPECT_TRUE(registry.Get("host-a")->lost);
  EXPECT_EQ((*(*store)->workers().ListWorkers())[0].status(),
            v1::WORKER_STATUS_LOST);

  // Calling again brings it back.
  synchronize();
  EXPECT_FALSE(registry.Get("host-a")->lost);
  EXPECT_EQ((*(*store)->workers().ListWorkers())[0].status(),
            v1::WORKER_STATUS_IDLE);
  registry.Shutdown();
  std::filesystem::remove_all(dir);
}

TEST(WorkerRegistryTest, StoredFactsSurviveACoordinatorRestart) {
  std::string dir = ::testing::TempDir() + "/wsvc-recover-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
  auto store = Stores::Open(std::string(dir) + "/coordinator.db", &clock);
  ASSERT_TRUE(store.ok()) << store.status();
  v1::DesiredState prepare;  // Differs from idle: answered at once.
  prepare.mutable_prepare()->mutable_key()->set_trial("t");
  v1::SynchronizeRequest request;
  request.set_worker_id("host-a");
  request.set_session_id("s");
  request.mutable_current()->mutable_idle();
  request.mutable_facts()->mutable_environment()->set_hostname("h");
  {
    WorkerRegistry registry(store->get(), &clock);
    registry.SetDesired("host-a", prepare);
    v1::SynchronizeResponse response;
    registry.Synchronize(request, clock.Wall(), &response,
                         [](absl::Status s) { EXPECT_TRUE(s.ok()) << s; });
  }
  // A new coordinator; the worker keeps its session and sends no facts.
  WorkerRegistry registry(store->get(), &clock);
  ASSERT_TRUE(registry.Recover().ok());
  registry.SetDesired("host-a", prepare);
  request.clear_facts();
  v1::SynchronizeResponse response;
  registry.Synchronize(request, clock.Wall(), &response,
                       [](absl::Status s) { EXPECT_TRUE(s.ok()) << s; });

  EXPECT_EQ(
      (*(*store)->workers().ListWorkers())[0].facts().environment().hostname(),
      "h");
  EXPECT_THAT(registry.TakeRestarted(), SizeIs(0));
  registry.Shutdown();
  std::filesystem::remove_all(dir);
}

// Results sent by many workers at once are all stored and acknowledged,
// whichever call commits them (group commit), each call with its own.
TEST(WorkerRegistryTest, ConcurrentResultsAreAllStoredAndEachAcknowledged) {
  std::string dir = ::testing::TempDir() + "/wsvc-group-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
  auto store = Stores::Open(std::string(dir) + "/coordinator.db", &clock);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<v1::ExperimentSpec> spec = spec::ParseSpecYaml(
      "name: g\nrepetitions: 1\nloadgen:\n  duration: 1s\n", "g");
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_TRUE((*store)->experiments().CreateExperiment(*spec, "", "", 7).ok());
  const std::string trial = api::TrialName("exp-000001", 0);
  constexpr int kWorkers = 24;
  google::protobuf::Map<std::string, std::string> placement;
  for (int i = 0; i < kWorkers; ++i) {
    placement[absl::StrCat("target/", i)] = absl::StrCat("w", i);
  }
  ASSERT_TRUE((*store)->trials().StartAttempt(trial, placement).ok());
  WorkerRegistry registry(store->get(), &clock);
  std::vector<v1::SynchronizeResponse> responses(kWorkers);
  std::vector<absl::Status> statuses(kWorkers, absl::InternalError("none"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kWorkers; ++i) {
    threads.emplace_back([&, i] {
      v1::SynchronizeRequest request;
      request.set_worker_id(absl::StrCat("w", i));
      request.set_session_id("s");
      request.mutable_current()->mutable_idle();
      *request.add_results() = Measurement(
          trial, request.worker_id(), static_cast<uint64_t>(i), clock.Wall());
      registry.Synchronize(request, clock.Wall(), &responses[i],
                           [&, i](absl::Status s) { statuses[i] = s; });
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kWorkers; ++i) {
    EXPECT_TRUE(statuses[i].ok()) << i << ": " << statuses[i];
    ASSERT_THAT(responses[i].acknowledged(), SizeIs(1));
    EXPECT_EQ(responses[i].acknowledged(0).worker_id(), absl::StrCat("w", i));
  }
  v1::AttemptKey key;
  key.set_trial(trial);
  key.set_attempt(1);
  absl::StatusOr<std::vector<v1::WorkerResult>> stored =
      (*store)->results().ListWorkerResults(key);
  ASSERT_TRUE(stored.ok());
  EXPECT_THAT(*stored, SizeIs(kWorkers));
  for (const v1::WorkerResult& r : *stored) {
    EXPECT_FALSE(r.has_failure()) << r.failure().reason();
  }
  registry.Shutdown();
  std::filesystem::remove_all(dir);
}

// A worker that re-polls in the same state costs no store write and does
// not wake the scheduler; its row's last_seen is refreshed once per
// persist_interval, and a change of state wakes the scheduler again.
TEST(WorkerRegistryTest, ARepollInTheSameStateWritesNothingUntilDue) {
  std::string dir = ::testing::TempDir() + "/wsvc-persist-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  FakeClock clock(t0);
  auto store = Stores::Open(std::string(dir) + "/coordinator.db", &clock);
  ASSERT_TRUE(store.ok()) << store.status();
  WorkerRegistryOptions options;
  options.persist_interval = absl::Seconds(60);
  WorkerRegistry registry(store->get(), &clock, options);
  int wakes = 0;
  registry.SetListener([&] { ++wakes; });
  v1::DesiredState prepare;  // Differs from idle: answered at once.
  prepare.mutable_prepare()->mutable_key()->set_trial("t");
  registry.SetDesired("host-a", prepare);
  auto synchronize = [&](bool ready) {
    v1::SynchronizeRequest request;
    request.set_worker_id("host-a");
    request.set_session_id("s");
    if (ready) {
      request.mutable_current()->mutable_preparing()->mutable_key()->set_trial(
          "other");
    } else {
      request.mutable_current()->mutable_idle();
    }
    v1::SynchronizeResponse response;
    registry.Synchronize(request, clock.Wall(), &response,
                         [](absl::Status s) { EXPECT_TRUE(s.ok()) << s; });
  };
  auto stored_last_seen = [&] {
    return TimeFromProto(
        (*(*store)->workers().ListWorkers())[0].last_seen_time());
  };
  synchronize(false);  // New: written, wakes.
  EXPECT_EQ(stored_last_seen(), t0);
  EXPECT_EQ(wakes, 1);
  clock.Advance(absl::Seconds(30));
  synchronize(false);  // Same state, not due: nothing.
  EXPECT_EQ(stored_last_seen(), t0);
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(registry.Get("host-a")->last_seen, t0 + absl::Seconds(30));
  clock.Advance(absl::Seconds(30));
  synchronize(false);  // Due: written, which wakes too.
  EXPECT_EQ(stored_last_seen(), t0 + absl::Seconds(60));
  EXPECT_EQ(wakes, 2);
  clock.Advance(absl::Seconds(1));
  synchronize(true);  // A new state: not written, but wakes.
  EXPECT_EQ(stored_last_seen(), t0 + absl::Seconds(60));
  EXPECT_EQ(wakes, 3);
  registry.Shutdown();
  std::filesystem::remove_all(dir);
}

// The sign is the API's: a worker whose clock runs 3 s ahead has offset
// +3 s, whatever the coordinator held the call for.
TEST(EstimateWorkerClockTest, AWorkerAheadHasAPositiveOffset) {
  const absl::Time coordinator_t2 = absl::FromUnixSeconds(1'800'000'000);
  v1::ClockSample sample;
  // Sent 1 ms before the coordinator received it, on a clock 3 s ahead.
  *sample.mutable_t1() =
      TimeToProto(coordinator_t2 - absl::Milliseconds(1) + absl::Seconds(3));
  *sample.mutable_t2() = TimeToProto(coordinator_t2);
  *sample.mutable_t3() = TimeToProto(coordinator_t2 + absl::Seconds(4));
  *sample.mutable_t4() = TimeToProto(coordinator_t2 + absl::Seconds(4) +
                                     absl::Milliseconds(1) + absl::Seconds(3));
  const absl::StatusOr<std::optional<WorkerClockEstimate>> e =
      EstimateWorkerClock(sample);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE(e->has_value());
  EXPECT_EQ((*e)->offset, absl::Seconds(3));
  EXPECT_EQ((*e)->round_trip, absl::Milliseconds(2));
  const absl::StatusOr<std::optional<WorkerClockEstimate>> none =
      EstimateWorkerClock(v1::ClockSample());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

// A sample whose coordinator interval is longer than the worker's (a
// negative round trip), or whose intervals run backwards, comes from no
// real exchange: it is refused with the reason.
TEST(EstimateWorkerClockTest, ASampleWithANegativeRoundTripIsRefused) {
  const absl::Time t = absl::FromUnixSeconds(1'800'000'000);
  v1::ClockSample sample;
  *sample.mutable_t1() = TimeToProto(t);
  *sample.mutable_t2() = TimeToProto(t);
  *sample.mutable_t3() = TimeToProto(t + absl::Seconds(5));
  *sample.mutable_t4() = TimeToProto(t + absl::Seconds(1));
  absl::StatusOr<std::optional<WorkerClockEstimate>> e =
      EstimateWorkerClock(sample);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(e.status().message()),
              HasSubstr("the round trip is negative"));

  v1::ClockSample backwards = sample;
  *backwards.mutable_t4() = TimeToProto(t - absl::Seconds(1));
  e = EstimateWorkerClock(backwards);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(e.status().message()), HasSubstr("before t1"));

  v1::ClockSample reversed = sample;
  *reversed.mutable_t3() = TimeToProto(t - absl::Seconds(1));
  e = EstimateWorkerClock(reversed);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(e.status().message()), HasSubstr("before t2"));
}

// The registry keeps no estimate from such a sample.
TEST(WorkerRegistryTest, AClockSampleWithANegativeRoundTripIsDropped) {
  std::string dir = ::testing::TempDir() + "/wsvc-clock-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
  auto store = Stores::Open(std::string(dir) + "/coordinator.db", &clock);
  ASSERT_TRUE(store.ok()) << store.status();
  WorkerRegistry registry(store->get(), &clock);
  v1::SynchronizeRequest request;
  request.set_worker_id("w1");
  request.set_session_id("s");
  request.mutable_current()->mutable_idle();
  const absl::Time t = clock.Wall();
  v1::ClockSample& sample = *request.mutable_previous_clock();
  *sample.mutable_t1() = TimeToProto(t - absl::Seconds(2));
  *sample.mutable_t2() = TimeToProto(t - absl::Seconds(10));
  *sample.mutable_t3() = TimeToProto(t);
  *sample.mutable_t4() = TimeToProto(t - absl::Seconds(1));
  v1::SynchronizeResponse response;
  absl::Notification done;
  registry.Synchronize(request, clock.Wall(), &response,
                       [&done](absl::Status) { done.Notify(); });
  std::optional<WorkerInfo> info = registry.Get("w1");
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->clock.has_value());
  registry.Shutdown();
  done.WaitForNotification();
  std::filesystem::remove_all(dir);
}

// A worker that was never placed on an attempt, calling the real service
// with its own identity, reports a failure for another worker's attempt:
// it is acknowledged (so it does not retry forever) but not stored, and the
// placed worker's own result is what the attempt has.
TEST_F(WorkerServiceTest,
       ARogueWorkersFailureForAnotherWorkersAttemptIsDropped) {
  StartServer();
  auto stub = v1::WorkerService::NewStub(channel_);
  v1::SynchronizeRequest forged;
  forged.set_worker_id("evil");
  forged.set_session_id("s-evil");
  forged.mutable_current()->mutable_idle();
  v1::WorkerResult& failure = *forged.add_results();
  failure.mutable_key()->set_trial(trial_);
  failure.mutable_key()->set_attempt(1);
  failure.set_worker_id("evil");
  failure.mutable_failure()->set_kind(v1::FAILURE_KIND_TARGET_START);
  failure.mutable_failure()->set_reason("nginx exited");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::SynchronizeResponse response;
  grpc::Status status = stub->Synchronize(&context, forged, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_THAT(response.acknowledged(), SizeIs(1));
  EXPECT_EQ(response.acknowledged(0).worker_id(), "evil");

  worker::Spool spool = NewSpool();
  ASSERT_TRUE(spool.Store(Result(100)).ok());
  auto client = MakeClient(&spool);
  ASSERT_TRUE(client->SynchronizeOnce().ok());

  absl::StatusOr<std::vector<v1::WorkerResult>> stored =
      store_->results().ListWorkerResults(Result(0).key());
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_THAT(*stored, SizeIs(1));
  EXPECT_EQ((*stored)[0].worker_id(), kWorker);
  EXPECT_FALSE((*stored)[0].has_failure()) << (*stored)[0].failure().reason();
  EXPECT_EQ((*stored)[0].loadgen().requests(), 100u);
}

// A result no honest worker could send (here: a window in the year 10000)
// is stored as that worker's own failure, naming what was wrong, so it
// fails its own attempt instead of becoming a measurement.
TEST_F(WorkerServiceTest, AnImplausibleResultIsStoredAsTheWorkersFailure) {
  StartServer();
  worker::Spool spool = NewSpool();
  v1::WorkerResult absurd = Result(100);
  absurd.mutable_loadgen()->mutable_start_time()->set_seconds(253402300800);
  ASSERT_TRUE(spool.Store(absurd).ok());
  auto client = MakeClient(&spool);
  ASSERT_TRUE(client->SynchronizeOnce().ok());

  EXPECT_THAT(*spool.List(), SizeIs(0));  // Acknowledged.
  absl::StatusOr<std::vector<v1::WorkerResult>> stored =
      store_->results().ListWorkerResults(absurd.key());
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_THAT(*stored, SizeIs(1));
  ASSERT_TRUE((*stored)[0].has_failure());
  EXPECT_EQ((*stored)[0].failure().kind(), v1::FAILURE_KIND_INTERNAL);
  EXPECT_THAT((*stored)[0].failure().reason(),
              HasSubstr("the coordinator refused the worker's result: "
                        "loadgen.start_time"));
  EXPECT_FALSE((*stored)[0].has_loadgen());
}

}  // namespace
}  // namespace scalebench::coordinator
