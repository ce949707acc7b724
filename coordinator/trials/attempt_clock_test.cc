// The scheduler on a FakeClock, about time across hosts: the lead before
// T0 from the hosts' measured round trips, T0 stored with the result, a
// clock that moved during the attempt, and the load sources the
// balancer's host is told to observe.
#include <string>

#include "coordinator/trials/trial_scheduler_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator::trial_scheduler_test {
namespace {

// Ready, with the burst after preparing: `offset` and a longest round trip
// of `max_round_trip`, its best sample taken `at`.
v1::WorkerState ReadyWithClock(const v1::AttemptKey& key,
                               absl::Duration max_round_trip, absl::Time at) {
  v1::WorkerState s = Ready(key, {"127.0.0.1:9001"});
  v1::ClockOffset& clock = *s.mutable_ready()->mutable_clock();
  *clock.mutable_max_round_trip() = DurationToProto(max_round_trip);
  *clock.mutable_uncertainty() = DurationToProto(absl::Microseconds(50));
  *clock.mutable_time() = TimeToProto(at);
  return s;
}

// A measurement whose worker measured its offset at `before` and, `after`
// later, moved by `moved`.
v1::WorkerResult MeasuredWithClock(const v1::AttemptKey& key, absl::Time start,
                                   absl::Duration moved) {
  v1::WorkerResult result = Measured(key, "w1", 1000, 5, start);
  v1::ClockOffset& before = *result.mutable_clock()->mutable_before();
  *before.mutable_offset() = DurationToProto(absl::Milliseconds(300));
  *before.mutable_uncertainty() = DurationToProto(absl::Microseconds(100));
  *before.mutable_time() = TimeToProto(start - absl::Seconds(2));
  v1::ClockOffset& after = *result.mutable_clock()->mutable_after();
  after = before;
  *after.mutable_offset() = DurationToProto(absl::Milliseconds(300) + moved);
  *after.mutable_time() = TimeToProto(start + absl::Seconds(6));
  return result;
}

TEST_F(SchedulerTest, TheLeadCoversTwiceTheLongestRoundTrip) {
  Create(kOneConfiguration);
  Report("w1", Idle());
  scheduler_->RunOnce();
  const absl::Time now = clock_.Wall();
  Report("w1", ReadyWithClock(Key(0, 1), absl::Milliseconds(300), now));
  scheduler_->RunOnce();
  ASSERT_TRUE(Desired("w1").has_measure());
  // The spec's 2 s to set up, and 600 ms for T0 to arrive.
  EXPECT_EQ(TimeFromProto(Desired("w1").measure().start_time()),
            now + absl::Milliseconds(2600));
}

TEST_F(SchedulerTest, AWorkersRoundTripDelaysTZeroByAtMostTenSeconds) {
  Create(kOneConfiguration);
  Report("w1", Idle());
  scheduler_->RunOnce();
  const absl::Time now = clock_.Wall();
  Report("w1", ReadyWithClock(Key(0, 1), absl::Hours(1), now));
  scheduler_->RunOnce();
  ASSERT_TRUE(Desired("w1").has_measure());
  EXPECT_EQ(TimeFromProto(Desired("w1").measure().start_time()),
            now + absl::Seconds(2) + kMaxDeliveryWait);
}

TEST_F(SchedulerTest, TZeroIsStoredWithTheTrialResult) {
  Create(kOneConfiguration);
  Report("w1", Idle());
  scheduler_->RunOnce();
  Report("w1", Ready(Key(0, 1), {"127.0.0.1:9001"}));
  scheduler_->RunOnce();
  const absl::Time t0 = TimeFromProto(Desired("w1").measure().start_time());
  Report("w1", Finished(Key(0, 1)),
         {MeasuredWithClock(Key(0, 1), clock_.Wall(), absl::Microseconds(40))});
  scheduler_->RunOnce();
  ASSERT_EQ(Trial(0).state(), v1::TRIAL_STATE_SUCCEEDED);
  absl::StatusOr<v1::TrialResult> result =
      store_->results().GetTrialResult(Key(0, 1).trial());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(TimeFromProto(result->start_time()), t0);
}

TEST_F(SchedulerTest, AClockSteppedDuringTheAttemptFailsItAndItIsRetried) {
  Create(kOneConfiguration);
  Report("w1", Idle());
  scheduler_->RunOnce();
  Report("w1", Ready(Key(0, 1), {"127.0.0.1:9001"}));
  scheduler_->RunOnce();
  Report("w1", Finished(Key(0, 1)),
         {MeasuredWithClock(Key(0, 1), clock_.Wall(), absl::Milliseconds(50))});
  scheduler_->RunOnce();
  const v1::Trial trial = Trial(0);
  ASSERT_EQ(trial.attempts_size(), 1);
  EXPECT_EQ(trial.attempts(0).failure().kind(), v1::FAILURE_KIND_CLOCK_STEP);
  EXPECT_THAT(trial.attempts(0).failure().reason(),
              HasSubstr("worker w1: its clock moved +50.000 ms"));
  EXPECT_EQ(trial.state(), v1::TRIAL_STATE_QUEUED);
  EXPECT_FALSE(store_->results().GetTrialResult(Key(0, 1).trial()).ok());
}

TEST_F(SchedulerTest, TheBalancersHostIsToldWhoseFirstRequestsToObserve) {
  facts_.add_addresses("10.0.0.9");
  Create(kBalancerOnItsOwnHost);
  for (const char* w : {"w1", "w2", "w3"}) Report(w, Idle());
  scheduler_->RunOnce();
  const v1::AttemptKey key = Key(0, 1);
  Report("w1", Ready(key, {}));
  Report("w2", Ready(key, {"10.0.0.2:8002"}));
  Report("w3", Ready(key, {"10.0.0.3:8003"}));
  scheduler_->RunOnce();
  Report("w1", Ready(key, {}, "10.0.0.1:8080"));
  scheduler_->RunOnce();
  const v1::DesiredState desired = Desired("w1");
  ASSERT_TRUE(desired.has_measure());
  const v1::DesiredState::Measure& front = desired.measure();
  ASSERT_EQ(front.load_sources_size(), 2);
  EXPECT_EQ(front.load_sources(0).worker_id(), "w2");
  EXPECT_EQ(front.load_sources(1).worker_id(), "w3");
  EXPECT_THAT(front.load_sources(1).addresses(), ElementsAre("10.0.0.9"));
  // The load generators themselves watch nothing.
  EXPECT_EQ(Desired("w2").measure().load_sources_size(), 0);
}

}  // namespace
}  // namespace scalebench::coordinator::trial_scheduler_test
