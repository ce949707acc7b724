#include "worker/agent/clock_sync.h"

#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

const absl::Time kBase = absl::FromUnixSeconds(1'800'000'000);

// A sample where the coordinator's clock runs `offset` ahead, the request
// takes `up` and the response `down`, and the coordinator holds the call
// for `hold`.
ClockSample Sample(absl::Duration offset, absl::Duration up,
                   absl::Duration down, absl::Duration hold,
                   absl::Duration at = absl::ZeroDuration()) {
  ClockSample s;
  s.t1 = kBase + at;
  s.t2 = s.t1 + up + offset;
  s.t3 = s.t2 + hold;
  s.t4 = s.t3 - offset + down;
  return s;
}

TEST(ClockSyncTest, ASymmetricExchangeGivesTheExactOffset) {
  const ClockEstimate e =
      EstimateFrom(Sample(absl::Seconds(3), absl::Milliseconds(2),
                          absl::Milliseconds(2), absl::Seconds(4)));
  EXPECT_EQ(e.offset, absl::Seconds(3));
  // The long poll's hold is not round trip.
  EXPECT_EQ(e.round_trip, absl::Milliseconds(4));
}

TEST(ClockSyncTest, AsymmetryErrsByHalfTheDifference) {
  const ClockEstimate e =
      EstimateFrom(Sample(-absl::Milliseconds(500), absl::Milliseconds(10),
                          absl::Milliseconds(2), absl::ZeroDuration()));
  EXPECT_EQ(e.offset, -absl::Milliseconds(500) + absl::Milliseconds(4));
}

TEST(ClockSyncTest, TheSampleWithTheShortestRoundTripWins) {
  ClockSync sync;
  EXPECT_FALSE(sync.Estimate().has_value());
  EXPECT_EQ(sync.ToLocal(kBase), kBase);
  // A slow, lopsided exchange, then a fast symmetric one.
  sync.Add(Sample(absl::Seconds(1), absl::Milliseconds(80),
                  absl::Milliseconds(2), absl::ZeroDuration()));
  sync.Add(Sample(absl::Seconds(1), absl::Microseconds(100),
                  absl::Microseconds(100), absl::Seconds(2)));
  ASSERT_TRUE(sync.Estimate().has_value());
  EXPECT_EQ(sync.Estimate()->offset, absl::Seconds(1));
  // T0 on the coordinator's clock is one second earlier here.
  EXPECT_EQ(sync.ToLocal(kBase + absl::Seconds(10)), kBase + absl::Seconds(9));
}

TEST(ClockSyncTest, OldSamplesLeaveTheWindow) {
  ClockSync sync;
  sync.Add(Sample(absl::Seconds(5), absl::Microseconds(1),
                  absl::Microseconds(1), absl::ZeroDuration()));
  for (int i = 0; i < ClockSync::kWindow; ++i) {
    sync.Add(Sample(absl::Seconds(2), absl::Milliseconds(1),
                    absl::Milliseconds(1), absl::ZeroDuration()));
  }
  EXPECT_EQ(sync.Estimate()->offset, absl::Seconds(2));
}

}  // namespace
}  // namespace scalebench::worker
