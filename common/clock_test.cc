#include "common/clock.h"

#include <time.h>

#include <atomic>
#include <thread>

#include "common/fake_clock.h"
#include "gtest/gtest.h"

namespace scalebench {
namespace {

TEST(FakeClockTest, StandsStillUntilAdvanced) {
  const absl::Time start = absl::FromUnixSeconds(1700000000);
  FakeClock clock(start);
  EXPECT_EQ(clock.Monotonic(), absl::ZeroDuration());
  EXPECT_EQ(clock.Wall(), start);

  clock.Advance(absl::Milliseconds(1500));
  EXPECT_EQ(clock.Monotonic(), absl::Milliseconds(1500));
  EXPECT_EQ(clock.Wall(), start + absl::Milliseconds(1500));
}

TEST(FakeClockTest, NegativeAdvanceDoesNotMoveTimeBackwards) {
  FakeClock clock;
  clock.Advance(absl::Seconds(2));
  clock.Advance(absl::Seconds(-1));
  EXPECT_EQ(clock.Monotonic(), absl::Seconds(2));
}

TEST(FakeClockTest, SetWallStepsOnlyTheWallClock) {
  FakeClock clock(absl::FromUnixSeconds(100));
  clock.Advance(absl::Seconds(5));
  clock.SetWall(absl::FromUnixSeconds(50));
  EXPECT_EQ(clock.Wall(), absl::FromUnixSeconds(50));
  EXPECT_EQ(clock.Monotonic(), absl::Seconds(5));
}

TEST(FakeClockTest, SleepUntilPastDeadlineReturnsAtOnce) {
  FakeClock clock;
  clock.Advance(absl::Seconds(3));
  clock.SleepUntil(absl::Seconds(1));
  EXPECT_EQ(clock.sleepers(), 0);
}

TEST(FakeClockTest, SleeperWakesOnlyWhenDeadlineReached) {
  FakeClock clock;
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.SleepUntil(absl::Seconds(10));
    woke = true;
  });
  while (clock.sleepers() == 0) std::this_thread::yield();

  clock.Advance(absl::Seconds(9));
  // The sleeper is still blocked: its deadline has not been reached.
  EXPECT_EQ(clock.sleepers(), 1);
  EXPECT_FALSE(woke.load());

  clock.Advance(absl::Seconds(1));
  sleeper.join();
  EXPECT_TRUE(woke.load());
  EXPECT_EQ(clock.sleepers(), 0);
}

TEST(RealClockTest, MonotonicNeverGoesBackwardsAndSleepReachesDeadline) {
  Clock* clock = Clock::Real();
  const absl::Duration t0 = clock->Monotonic();
  const absl::Duration deadline = t0 + absl::Milliseconds(20);
  clock->SleepUntil(deadline);
  const absl::Duration t1 = clock->Monotonic();
  EXPECT_GE(t1, deadline);
  EXPECT_GE(clock->Monotonic(), t1);
}

absl::Duration ReadKernelClock(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return absl::DurationFromTimespec(ts);
}

// Wall() is the kernel's CLOCK_REALTIME: a reading lies between two
// readings of that clock taken directly around it. (absl::Now() passes this
// too while the clock runs steadily; that Wall() follows a step at once is
// checked by testbed_clock_offset, where a worker's clock is stepped.)
TEST(RealClockTest, WallIsTheKernelRealtimeClock) {
  const absl::Time before = absl::UnixEpoch() + ReadKernelClock(CLOCK_REALTIME);
  const absl::Time wall = Clock::Real()->Wall();
  const absl::Time after = absl::UnixEpoch() + ReadKernelClock(CLOCK_REALTIME);
  EXPECT_LE(before, wall);
  EXPECT_LE(wall, after);
}

// Monotonic() is CLOCK_MONOTONIC itself, not some other origin: code that
// plans with the Clock and then reads CLOCK_MONOTONIC on a hot path (the
// load generator's event loops) relies on the two agreeing.
TEST(RealClockTest, MonotonicIsTheKernelMonotonicClock) {
  const absl::Duration before = ReadKernelClock(CLOCK_MONOTONIC);
  const absl::Duration monotonic = Clock::Real()->Monotonic();
  const absl::Duration after = ReadKernelClock(CLOCK_MONOTONIC);
  EXPECT_LE(before, monotonic);
  EXPECT_LE(monotonic, after);
}

}  // namespace
}  // namespace scalebench
