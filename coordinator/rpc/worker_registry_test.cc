// The worker registry on its own (lost workers, restarts, concurrent results,
// repolls) and the clock-offset estimate, over a real store.
#include <string>

#include "coordinator/rpc/worker_service_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator::worker_service_test {
namespace {

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

}  // namespace
}  // namespace scalebench::coordinator::worker_service_test
