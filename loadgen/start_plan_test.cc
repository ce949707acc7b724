#include "loadgen/start_plan.h"

#include "common/fake_clock.h"
#include "gtest/gtest.h"

namespace scalebench::loadgen {
namespace {

const absl::Time kWallStart = absl::FromUnixSeconds(1'795'953'600);

class PlanStartTest : public ::testing::Test {
 protected:
  PlanStartTest() : clock_(kWallStart) {
    // A monotonic origin unlike the wall clock's, as on a real host.
    clock_.Advance(absl::Hours(3));
    clock_.SetWall(kWallStart);
  }
  FakeClock clock_;
};

TEST_F(PlanStartTest, StartAtInThePastIsLateByTheFullAmount) {
  LoadOptions o;
  o.start_at = kWallStart - absl::Milliseconds(200);
  const StartPlan p = PlanStart(o, clock_);
  EXPECT_TRUE(p.late);
  EXPECT_EQ(p.late_by, absl::Milliseconds(200));
  EXPECT_EQ(p.window_start, absl::Hours(3) - absl::Milliseconds(200));
  EXPECT_EQ(p.window_start_wall, *o.start_at);
}

TEST_F(PlanStartTest, LatenessWithinTheToleranceIsNotAFailure) {
  LoadOptions o;
  o.start_tolerance = absl::Milliseconds(5);
  o.start_at = kWallStart - absl::Milliseconds(4);
  EXPECT_FALSE(PlanStart(o, clock_).late);
  o.start_at = kWallStart - absl::Milliseconds(6);
  EXPECT_TRUE(PlanStart(o, clock_).late);
}

TEST_F(PlanStartTest, StartAtAheadStartsThenWithoutFailure) {
  LoadOptions o;
  o.start_at = kWallStart + absl::Milliseconds(200);
  const StartPlan p = PlanStart(o, clock_);
  EXPECT_FALSE(p.late);
  EXPECT_EQ(p.window_start, absl::Hours(3) + absl::Milliseconds(200));
  EXPECT_EQ(p.load_start, p.window_start);
}

TEST_F(PlanStartTest, WarmupBeginsBeforeStartAtOrAtOnceIfThatPassed) {
  LoadOptions o;
  o.start_at = kWallStart + absl::Milliseconds(200);
  o.warmup = absl::Milliseconds(50);
  StartPlan p = PlanStart(o, clock_);
  EXPECT_EQ(p.load_start, absl::Hours(3) + absl::Milliseconds(150));
  o.warmup = absl::Seconds(1);
  p = PlanStart(o, clock_);
  EXPECT_FALSE(p.late);
  EXPECT_EQ(p.load_start, absl::Hours(3));
  EXPECT_EQ(p.window_start, absl::Hours(3) + absl::Milliseconds(200));
}

TEST_F(PlanStartTest, WithoutStartAtTheRunLeadsItself) {
  LoadOptions o;
  o.warmup = absl::Seconds(2);
  const StartPlan p = PlanStart(o, clock_);
  EXPECT_FALSE(p.late);
  EXPECT_EQ(p.load_start, absl::Hours(3) + kStartLead);
  EXPECT_EQ(p.window_start, absl::Hours(3) + kStartLead + absl::Seconds(2));
  EXPECT_EQ(p.window_start_wall, kWallStart + kStartLead + absl::Seconds(2));
}

TEST(LateStartReasonTest, SaysHowLateAgainstWhatAndTheTolerance) {
  EXPECT_EQ(LateStartReason(absl::Microseconds(200'300),
                            absl::FromUnixMillis(1'795'953'600'250),
                            absl::Milliseconds(5)),
            "started 200.3 ms after the planned instant "
            "2026-11-29T12:00:00.25Z (tolerance 5 ms)");
}

}  // namespace
}  // namespace scalebench::loadgen
