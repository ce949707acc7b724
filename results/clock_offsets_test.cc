#include "results/clock_offsets.h"

#include <random>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::results {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

// An exchange starting at `t1` on a worker whose clock is `theta` behind
// the coordinator's, with one-way delays `out` and `back` and `handler`
// spent in the coordinator's handler.
ClockSample Exchange(absl::Time t1, absl::Duration theta, absl::Duration out,
                     absl::Duration back,
                     absl::Duration handler = absl::Microseconds(5)) {
  ClockSample s;
  s.t1 = t1;
  s.t2 = t1 + theta + out;
  s.t3 = s.t2 + handler;
  s.t4 = s.t3 - theta + back;
  return s;
}

v1::ClockOffset Burst(absl::Time t, absl::Duration offset,
                      absl::Duration uncertainty) {
  v1::ClockOffset o;
  *o.mutable_time() = TimeToProto(t);
  *o.mutable_offset() = DurationToProto(offset);
  *o.mutable_uncertainty() = DurationToProto(uncertainty);
  return o;
}

TEST(ClockOffsetsTest, OneSampleGivesTheMidpointAndHalfTheRoundTrip) {
  const ClockSample s =
      Exchange(kT0, absl::Milliseconds(300), absl::Microseconds(100),
               absl::Microseconds(40));
  EXPECT_EQ(RoundTrip(s), absl::Microseconds(140));
  EXPECT_EQ(Offset(s), absl::Milliseconds(300) + absl::Microseconds(30));
}

TEST(ClockOffsetsTest, BurstKeepsTheShortestRoundTrip) {
  const absl::Duration theta = absl::Milliseconds(-400);
  std::vector<ClockSample> burst = {
      // A queued request: 24 ms out, 50 us back.
      Exchange(kT0, theta, absl::Milliseconds(24), absl::Microseconds(50)),
      Exchange(kT0 + absl::Milliseconds(30), theta, absl::Microseconds(60),
               absl::Microseconds(70)),
      Exchange(kT0 + absl::Milliseconds(31), theta, absl::Microseconds(300),
               absl::Microseconds(80)),
  };
  std::optional<v1::ClockOffset> o = OffsetFromBurst(burst);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->samples(), 3u);
  EXPECT_EQ(DurationFromProto(o->min_round_trip()), absl::Microseconds(130));
  EXPECT_EQ(DurationFromProto(o->max_round_trip()),
            absl::Milliseconds(24) + absl::Microseconds(50));
  EXPECT_EQ(DurationFromProto(o->uncertainty()), absl::Microseconds(65));
  EXPECT_EQ(DurationFromProto(o->offset()), theta - absl::Microseconds(5));
  EXPECT_EQ(TimeFromProto(o->time()), burst[1].t4);
}

TEST(ClockOffsetsTest, TheTrueOffsetIsWithinTheUncertaintyWhateverTheDelays) {
  std::mt19937 random(20);
  std::exponential_distribution<double> delay_us(1.0 / 200);
  for (int trial = 0; trial < 1000; ++trial) {
    const absl::Duration theta = absl::Microseconds(
        std::uniform_int_distribution<int>(-900'000, 900'000)(random));
    std::vector<ClockSample> burst;
    for (int i = 0; i < 16; ++i) {
      burst.push_back(Exchange(kT0 + absl::Milliseconds(i), theta,
                               absl::Microseconds(delay_us(random)),
                               absl::Microseconds(delay_us(random))));
    }
    std::optional<v1::ClockOffset> o = OffsetFromBurst(burst);
    ASSERT_TRUE(o.has_value());
    const absl::Duration error =
        absl::AbsDuration(DurationFromProto(o->offset()) - theta);
    ASSERT_LE(error, DurationFromProto(o->uncertainty()))
        << "trial " << trial << ": true offset " << theta;
  }
}

TEST(ClockOffsetsTest, BurstSkipsImpossibleSamplesAndMayHaveNone) {
  ClockSample backwards =
      Exchange(kT0, absl::ZeroDuration(), absl::Microseconds(10),
               absl::Microseconds(10));
  backwards.t4 = backwards.t1 - absl::Microseconds(1);
  ClockSample held = Exchange(kT0, absl::ZeroDuration(), absl::Microseconds(10),
                              absl::Microseconds(10), absl::Seconds(5));
  held.t4 = held.t1 + absl::Seconds(1);  // The handler outlasted the call.
  EXPECT_EQ(OffsetFromBurst({backwards, held}), std::nullopt);
  EXPECT_EQ(OffsetFromBurst({}), std::nullopt);
  std::optional<v1::ClockOffset> o = OffsetFromBurst(
      {backwards, Exchange(kT0, absl::Milliseconds(1), absl::Microseconds(10),
                           absl::Microseconds(10))});
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->samples(), 1u);
}

TEST(ClockOffsetsTest, InterpolatesBetweenBurstsAndClampsOutside) {
  const v1::ClockOffset before =
      Burst(kT0, absl::Milliseconds(10), absl::Microseconds(50));
  const v1::ClockOffset after = Burst(
      kT0 + absl::Seconds(4), absl::Milliseconds(12), absl::Microseconds(80));
  OffsetAt mid = InterpolateOffset(before, &after, kT0 + absl::Seconds(1));
  EXPECT_EQ(mid.offset, absl::Microseconds(10'500));
  EXPECT_EQ(mid.uncertainty, absl::Microseconds(80));
  EXPECT_EQ(InterpolateOffset(before, &after, kT0 - absl::Seconds(9)).offset,
            absl::Milliseconds(10));
  EXPECT_EQ(InterpolateOffset(before, &after, kT0 + absl::Seconds(9)).offset,
            absl::Milliseconds(12));
  OffsetAt alone = InterpolateOffset(before, nullptr, kT0 + absl::Seconds(1));
  EXPECT_EQ(alone.offset, absl::Milliseconds(10));
  EXPECT_EQ(alone.uncertainty, absl::Microseconds(50));
}

TEST(ClockOffsetsTest, SkewIsTheLocalLatenessWhenTheClockHeldStill) {
  const v1::ClockOffset before = Burst(
      kT0 - absl::Seconds(1), absl::Milliseconds(-300), absl::Microseconds(60));
  const v1::ClockOffset after = Burst(
      kT0 + absl::Seconds(2), absl::Milliseconds(-300), absl::Microseconds(90));
  StartSkew s =
      SkewOnCoordinatorClock(absl::Microseconds(40), before, &after, kT0);
  EXPECT_EQ(s.skew, absl::Microseconds(40));
  EXPECT_EQ(s.uncertainty, absl::Microseconds(90));
}

TEST(ClockOffsetsTest, SkewIsNegativeWhenTheWorkerClockRanAhead) {
  // The worker's clock gains 1 ms a second on the coordinator's (the
  // offset, coordinator minus worker, falls): T0 converted with the offset
  // of one second earlier opens the window 1 ms early in truth.
  const absl::Time local_t0 = kT0 - absl::Milliseconds(5);
  const v1::ClockOffset before =
      Burst(local_t0 - absl::Seconds(1), absl::Milliseconds(5),
            absl::Microseconds(20));
  const v1::ClockOffset after =
      Burst(local_t0 + absl::Seconds(1), absl::Milliseconds(3),
            absl::Microseconds(20));
  StartSkew s =
      SkewOnCoordinatorClock(absl::ZeroDuration(), before, &after, kT0);
  EXPECT_EQ(s.skew, absl::Milliseconds(-1));
}

TEST(ClockOffsetsTest, AStepIsFlaggedADisciplinedDriftIsNot) {
  v1::WorkerClock clock;
  *clock.mutable_before() =
      Burst(kT0, absl::Milliseconds(300), absl::Microseconds(100));
  // 10 s later, 4 ms moved: under 2 x 100 us + 500 ppm x 10 s = 5.2 ms.
  *clock.mutable_after() =
      Burst(kT0 + absl::Seconds(10), absl::Milliseconds(304),
            absl::Microseconds(100));
  EXPECT_EQ(ClockStepReason("h2", clock), std::nullopt);
  // Stepped by 50 ms.
  *clock.mutable_after()->mutable_offset() =
      DurationToProto(absl::Milliseconds(250));
  EXPECT_THAT(ClockStepReason("h2", clock),
              Optional(HasSubstr("worker h2: its clock moved -50.000 ms")));
  clock.clear_after();
  EXPECT_EQ(ClockStepReason("h2", clock), std::nullopt);
}

}  // namespace
}  // namespace scalebench::results
