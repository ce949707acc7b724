#include <string>

#include "coordinator/rpc/worker_service_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator::worker_service_test {
namespace {

TEST_F(WorkerServiceTest, ResultsAreStoredOnceAndAcknowledged) {
  StartServer();
  worker::Spool spool = NewSpool();
  DeliverOnce(&spool, Result(100));

  absl::StatusOr<std::vector<v1::WorkerResult>> spooled = spool.List();
  ASSERT_TRUE(spooled.ok());
  EXPECT_THAT(*spooled, SizeIs(0));
  ExpectOneStoredResult(100);
}

TEST_F(WorkerServiceTest, ADuplicateDeliveryIsAcknowledgedButNotStored) {
  StartServer();
  worker::Spool spool = NewSpool();
  auto client = DeliverOnce(&spool, Result(100));
  // The same result again (as after a lost acknowledgement), changed.
  ASSERT_TRUE(spool.Store(Result(999)).ok());

  ASSERT_TRUE(client->SynchronizeOnce().ok());

  EXPECT_THAT(*spool.List(), SizeIs(0));
  ExpectOneStoredResult(100);
}

TEST_F(WorkerServiceTest, AResultForAnUnknownAttemptIsDroppedNotResentForever) {
  StartServer();
  worker::Spool spool = NewSpool();
  v1::WorkerResult orphan = Result(100);
  orphan.mutable_key()->set_attempt(7);
  DeliverOnce(&spool, orphan);

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

TEST_F(WorkerServiceTest, AClockExchangeIsAnsweredAtOnceWithItsTwoTimes) {
  StartServer();
  auto stub = v1::WorkerService::NewStub(channel_);
  v1::ExchangeClockRequest request;
  request.set_worker_id(kWorker);
  v1::ExchangeClockResponse response;
  grpc::ClientContext context;
  const absl::Time t1 = absl::Now();
  const grpc::Status status = stub->ExchangeClock(&context, request, &response);
  const absl::Time t4 = absl::Now();
  ASSERT_TRUE(status.ok()) << status.error_message();
  // One clock on both sides: the four times are in order.
  const absl::Time t2 = TimeFromProto(response.receive_time());
  const absl::Time t3 = TimeFromProto(response.transmit_time());
  EXPECT_LE(t1, t2);
  EXPECT_LE(t2, t3);
  EXPECT_LE(t3, t4);
  // Not a long poll: nothing holds it.
  EXPECT_LT(t4 - t1, kHold);
  // It does not register the worker.
  EXPECT_FALSE(registry_->Get(kWorker).has_value());

  grpc::ClientContext bad_context;
  request.set_worker_id("no spaces allowed");
  const grpc::Status bad =
      stub->ExchangeClock(&bad_context, request, &response);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("worker_id"));
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
  // `request` as it is now is refused as INVALID_ARGUMENT naming `field`.
  auto expect_refused = [&](const char* field) {
    grpc::ClientContext context;
    v1::SynchronizeResponse response;
    grpc::Status status = stub->Synchronize(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_THAT(status.error_message(), HasSubstr(field));
  };
  expect_refused("results");
  request.clear_results();
  request.set_worker_id("no/slashes");
  expect_refused("worker_id");
  request.set_worker_id(kWorker);
  v1::WorkerResult foreign = Result(1);
  foreign.set_worker_id("host-b");
  *request.add_results() = foreign;
  expect_refused("results[0].worker_id");
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
}  // namespace scalebench::coordinator::worker_service_test
