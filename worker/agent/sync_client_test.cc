#include "worker/agent/sync_client.h"

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/grpc_channel.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "worker/agent/clock_burst.h"

namespace scalebench::worker {
namespace {

// A coordinator stand-in: records every request, acknowledges every result
// it receives, answers with a scripted desired state, and reports its clock
// as running `offset` ahead of the real one.
class FakeCoordinator final : public v1::WorkerService::Service {
 public:
  explicit FakeCoordinator(absl::Duration offset) : offset_(offset) {}

  grpc::Status Synchronize(grpc::ServerContext*,
                           const v1::SynchronizeRequest* request,
                           v1::SynchronizeResponse* response) override {
    const absl::Time received = absl::Now() + offset_;
    absl::MutexLock lock(&mu_);
    requests_.push_back(*request);
    for (const v1::WorkerResult& r : request->results()) {
      v1::ResultAck* ack = response->add_acknowledged();
      *ack->mutable_key() = r.key();
      ack->set_worker_id(r.worker_id());
    }
    *response->mutable_desired() = desired_;
    *response->mutable_next_synchronization_time() =
        TimeToProto(received + absl::Seconds(10));
    *response->mutable_receive_time() = TimeToProto(received);
    *response->mutable_transmit_time() = TimeToProto(absl::Now() + offset_);
    return grpc::Status::OK;
  }

  grpc::Status ExchangeClock(grpc::ServerContext*,
                             const v1::ExchangeClockRequest* request,
                             v1::ExchangeClockResponse* response) override {
    *response->mutable_receive_time() = TimeToProto(absl::Now() + offset_);
    absl::MutexLock lock(&mu_);
    exchanges_.push_back(request->worker_id());
    *response->mutable_transmit_time() = TimeToProto(absl::Now() + offset_);
    return grpc::Status::OK;
  }

  void SetDesired(const v1::DesiredState& desired) {
    absl::MutexLock lock(&mu_);
    desired_ = desired;
  }
  std::vector<v1::SynchronizeRequest> requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }
  std::vector<std::string> exchanges() {
    absl::MutexLock lock(&mu_);
    return exchanges_;
  }

 private:
  const absl::Duration offset_;
  absl::Mutex mu_;
  std::vector<v1::SynchronizeRequest> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> exchanges_ ABSL_GUARDED_BY(mu_);
  v1::DesiredState desired_ ABSL_GUARDED_BY(mu_);
};

// Records what it is asked to do; reports idle.
class RecordingExecutor final : public AssignmentExecutor {
 public:
  void Apply(const v1::DesiredState& desired, const ClockSync&) override {
    absl::MutexLock lock(&mu_);
    applied_.push_back(desired);
  }
  v1::WorkerState Current() override {
    v1::WorkerState state;
    state.mutable_idle();
    return state;
  }
  std::vector<v1::DesiredState> applied() {
    absl::MutexLock lock(&mu_);
    return applied_;
  }

 private:
  absl::Mutex mu_;
  std::vector<v1::DesiredState> applied_ ABSL_GUARDED_BY(mu_);
};

v1::WorkerResult Result(uint32_t trial) {
  v1::WorkerResult r;
  r.mutable_key()->set_trial("experiments/e/trials/" + std::to_string(trial));
  r.mutable_key()->set_attempt(1);
  r.set_worker_id("host-a");
  return r;
}

class SyncClientTest : public ::testing::Test {
 protected:
  void StartServer(absl::Duration offset) {
    coordinator_ = std::make_unique<FakeCoordinator>(offset);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(coordinator_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }
  std::unique_ptr<SyncClient> MakeClient(Spool* spool, int port) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        MakeChannel("127.0.0.1:" + std::to_string(port), TransportSecurity{});
    EXPECT_TRUE(channel.ok()) << channel.status();
    SyncOptions options;
    options.worker_id = "host-a";
    options.min_backoff = absl::Milliseconds(20);
    options.max_backoff = absl::Milliseconds(100);
    v1::HostFacts facts;
    facts.mutable_environment()->set_hostname("host-a");
    return std::make_unique<SyncClient>(*channel, options, facts, spool,
                                        &executor_, Clock::Real());
  }
  Spool NewSpool() {
    std::string dir = ::testing::TempDir() + "/sync-XXXXXX";
    return *Spool::Open(std::string(mkdtemp(dir.data())) + "/spool");
  }

  std::unique_ptr<FakeCoordinator> coordinator_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  RecordingExecutor executor_;
};

TEST_F(SyncClientTest, FactsGoOnlyOnTheFirstExchangeOfASession) {
  StartServer(absl::ZeroDuration());
  Spool spool = NewSpool();
  auto client = MakeClient(&spool, port_);
  ASSERT_TRUE(client->SynchronizeOnce().ok());
  ASSERT_TRUE(client->SynchronizeOnce().ok());
  const auto requests = coordinator_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].worker_id(), "host-a");
  EXPECT_FALSE(requests[0].session_id().empty());
  EXPECT_EQ(requests[0].session_id(), requests[1].session_id());
  EXPECT_EQ(requests[0].facts().environment().hostname(), "host-a");
  EXPECT_FALSE(requests[1].has_facts());
  EXPECT_TRUE(requests[0].current().has_idle());
  // The second request carries the first exchange's four timestamps.
  EXPECT_FALSE(requests[0].has_previous_clock());
  EXPECT_TRUE(requests[1].previous_clock().has_t4());
}

TEST_F(SyncClientTest, ABacklogIsSentInBoundedBatchesAndLeavesOnAck) {
  StartServer(absl::ZeroDuration());
  Spool spool = NewSpool();
  for (uint32_t t = 0; t < 20; ++t) ASSERT_TRUE(spool.Store(Result(t)).ok());
  auto client = MakeClient(&spool, port_);
  ASSERT_TRUE(client->SynchronizeOnce().ok());
  EXPECT_EQ(coordinator_->requests()[0].results_size(), 16);
  EXPECT_EQ(spool.List()->size(), 4u);
  ASSERT_TRUE(client->SynchronizeOnce().ok());
  EXPECT_EQ(coordinator_->requests()[1].results_size(), 4);
  // The oldest first: trial 16 follows trial 15.
  EXPECT_EQ(coordinator_->requests()[1].results(0).key().trial(),
            "experiments/e/trials/16");
  EXPECT_TRUE(spool.List()->empty());
}

TEST_F(SyncClientTest, TheClockOffsetIsMeasured) {
  StartServer(absl::Seconds(3));
  Spool spool = NewSpool();
  auto client = MakeClient(&spool, port_);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client->SynchronizeOnce().ok());
  const std::optional<ClockEstimate> estimate = client->clock_sync().Estimate();
  ASSERT_TRUE(estimate.has_value());
  // Within the round trip of loopback gRPC, far below the 3 s set.
  EXPECT_LT(absl::AbsDuration(estimate->offset - absl::Seconds(3)),
            absl::Milliseconds(50));
}

TEST_F(SyncClientTest, AClockBurstBoundsTheTrueOffset) {
  StartServer(absl::Milliseconds(-400));
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel("127.0.0.1:" + std::to_string(port_), TransportSecurity{});
  ASSERT_TRUE(channel.ok()) << channel.status();
  ClockBurst burst(GrpcClockExchange(*channel, "host-a", Clock::Real()), 5);
  absl::StatusOr<v1::ClockOffset> offset = burst.Burst();
  ASSERT_TRUE(offset.ok()) << offset.status();
  EXPECT_EQ(offset->samples(), 5u);
  EXPECT_EQ(coordinator_->exchanges(), std::vector<std::string>(5, "host-a"));
  // The stand-in's clock is exactly 400 ms behind this one, so the bound
  // must hold whatever loopback's delays were.
  EXPECT_LE(absl::AbsDuration(DurationFromProto(offset->offset()) +
                              absl::Milliseconds(400)),
            DurationFromProto(offset->uncertainty()));
}

TEST_F(SyncClientTest, TheDesiredStateReachesTheExecutor) {
  StartServer(absl::ZeroDuration());
  v1::DesiredState desired;
  desired.mutable_tear_down()->mutable_key()->set_trial(
      "experiments/e/trials/4");
  coordinator_->SetDesired(desired);
  Spool spool = NewSpool();
  auto client = MakeClient(&spool, port_);
  ASSERT_TRUE(client->SynchronizeOnce().ok());
  ASSERT_EQ(executor_.applied().size(), 1u);
  EXPECT_EQ(executor_.applied()[0].tear_down().key().trial(),
            "experiments/e/trials/4");
}

TEST_F(SyncClientTest, AnUnreachableCoordinatorIsAnErrorNotACrash) {
  Spool spool = NewSpool();
  // A port from a server that is gone.
  StartServer(absl::ZeroDuration());
  const int dead_port = port_;
  server_->Shutdown();
  server_.reset();
  auto client = MakeClient(&spool, dead_port);
  absl::StatusOr<absl::Time> next = client->SynchronizeOnce();
  EXPECT_EQ(next.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(SyncClientTest, RunKeepsSynchronizingUntilStopped) {
  StartServer(absl::ZeroDuration());
  Spool spool = NewSpool();
  auto client = MakeClient(&spool, port_);
  absl::Notification stop;
  std::thread loop([&] { client->Run(stop); });
  while (coordinator_->requests().size() < 3)
    absl::SleepFor(absl::Milliseconds(5));
  stop.Notify();
  loop.join();
  EXPECT_GE(coordinator_->requests().size(), 3u);
}

TEST(BackoffDelayTest, DoublesFromTheMinimumUpToTheMaximum) {
  const absl::Duration min = absl::Milliseconds(200);
  const absl::Duration max = absl::Seconds(10);
  EXPECT_EQ(BackoffDelay(1, min, max), absl::Milliseconds(200));
  EXPECT_EQ(BackoffDelay(2, min, max), absl::Milliseconds(400));
  EXPECT_EQ(BackoffDelay(6, min, max), absl::Milliseconds(6400));
  EXPECT_EQ(BackoffDelay(7, min, max), absl::Seconds(10));
  EXPECT_EQ(BackoffDelay(1000, min, max), absl::Seconds(10));
}

}  // namespace
}  // namespace scalebench::worker
