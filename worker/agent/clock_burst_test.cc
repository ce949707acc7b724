#include "worker/agent/clock_burst.h"

#include <vector>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

using ::testing::HasSubstr;

const absl::Time kBase = absl::FromUnixSeconds(1'800'000'000);

// Exchanges answered from a script: the coordinator's clock 250 ms ahead,
// with the given one-way delays (out, back) in microseconds; a negative
// `out` is a call that failed.
ClockExchange Scripted(std::vector<std::pair<int, int>> delays, int* calls) {
  return [delays, calls]() -> absl::StatusOr<results::ClockSample> {
    const auto [out, back] = delays[*calls % delays.size()];
    const absl::Time t1 = kBase + absl::Milliseconds(*calls);
    ++*calls;
    if (out < 0) return absl::DeadlineExceededError("deadline exceeded");
    results::ClockSample s;
    s.t1 = t1;
    s.t2 = t1 + absl::Milliseconds(250) + absl::Microseconds(out);
    s.t3 = s.t2 + absl::Microseconds(3);
    s.t4 = s.t3 - absl::Milliseconds(250) + absl::Microseconds(back);
    return s;
  };
}

TEST(ClockBurstTest, MakesEveryExchangeAndKeepsTheShortestRoundTrip) {
  int calls = 0;
  ClockBurst burst(Scripted({{9000, 40}, {60, 60}, {-1, 0}, {500, 20}}, &calls),
                   8);
  absl::StatusOr<v1::ClockOffset> offset = burst.Burst();
  ASSERT_TRUE(offset.ok()) << offset.status();
  EXPECT_EQ(calls, 8);
  EXPECT_EQ(offset->samples(), 6u);  // Two of the eight failed.
  EXPECT_EQ(DurationFromProto(offset->offset()), absl::Milliseconds(250));
  EXPECT_EQ(DurationFromProto(offset->uncertainty()), absl::Microseconds(60));
  EXPECT_EQ(DurationFromProto(offset->max_round_trip()),
            absl::Microseconds(9040));
}

TEST(ClockBurstTest, NoAnswerIsAnErrorThatSaysWhy) {
  int calls = 0;
  ClockBurst burst(Scripted({{-1, 0}}, &calls), 4);
  absl::StatusOr<v1::ClockOffset> offset = burst.Burst();
  EXPECT_TRUE(absl::IsUnavailable(offset.status()));
  EXPECT_THAT(offset.status().message(),
              HasSubstr("no clock exchange with the coordinator answered in "
                        "4 tries (deadline exceeded)"));
  EXPECT_EQ(calls, 4);
}

}  // namespace
}  // namespace scalebench::worker
