#include "loadgen/pacer.h"

#include <vector>

#include "common/fake_clock.h"
#include "gtest/gtest.h"
#include "results/histogram.h"

namespace scalebench::loadgen {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST(PacerTest, OpenLoopSpacesRequestsEvenlyAcrossConnections) {
  const Pacer pacer = Pacer::Open(/*rate=*/1000, /*connections=*/4,
                                  /*start_ns=*/5 * kMs);
  // Run-wide, one request every millisecond, connections taking turns.
  EXPECT_EQ(pacer.IntendedNs(0, 0), 5 * kMs);
  EXPECT_EQ(pacer.IntendedNs(1, 0), 6 * kMs);
  EXPECT_EQ(pacer.IntendedNs(3, 0), 8 * kMs);
  EXPECT_EQ(pacer.IntendedNs(0, 1), 9 * kMs);
  EXPECT_EQ(pacer.IntendedNs(2, 250), 5 * kMs + 1002 * kMs);
}

TEST(PacerTest, LateConnectionSendsAtOnceButCountsFromIntendedTime) {
  const Pacer pacer = Pacer::Open(100, 1, 0);
  const SendPlan early = pacer.Plan(0, 3, /*now_ns=*/10 * kMs);
  EXPECT_EQ(early.origin_ns, 30 * kMs);
  EXPECT_EQ(early.send_at_ns, 30 * kMs);
  const SendPlan late = pacer.Plan(0, 3, /*now_ns=*/45 * kMs);
  EXPECT_EQ(late.origin_ns, 30 * kMs);
  EXPECT_EQ(late.send_at_ns, 45 * kMs);
}

TEST(PacerTest, ClosedLoopSendsNowAndCountsFromNow) {
  const SendPlan p = Pacer::Closed().Plan(7, 99, 123 * kMs);
  EXPECT_EQ(p.origin_ns, 123 * kMs);
  EXPECT_EQ(p.send_at_ns, 123 * kMs);
}

// One connection against a simulated server that answers in 1 ms but
// stalls from 1 s to 2 s, driven on a fake clock for 3 s. Returns the
// latencies the pacer's origins give.
results::Histogram SimulateStall(const Pacer& pacer, int64_t run_ns) {
  FakeClock clock;
  results::Histogram latencies;
  const int64_t stall_begin = 1000 * kMs, stall_end = 2000 * kMs;
  auto now = [&] { return absl::ToInt64Nanoseconds(clock.Monotonic()); };
  for (uint64_t k = 0;; ++k) {
    const SendPlan plan = pacer.Plan(0, k, now());
    if (plan.send_at_ns >= run_ns) break;
    clock.Advance(absl::Nanoseconds(plan.send_at_ns - now()));
    int64_t done = now() + kMs;
    if (now() >= stall_begin && now() < stall_end) done = stall_end + kMs;
    clock.Advance(absl::Nanoseconds(done - now()));
    latencies.Record(static_cast<uint64_t>(now() - plan.origin_ns));
  }
  return latencies;
}

TEST(PacerTest, OpenLoopLatencyShowsAStallThatClosedLoopHides) {
  const int64_t run = 3000 * kMs;
  const results::Histogram open = SimulateStall(Pacer::Open(100, 1, 0), run);
  const results::Histogram closed = SimulateStall(Pacer::Closed(), run);

  // Open loop: all 300 slots are sent; the ~100 intended during the stall
  // waited up to a second.
  EXPECT_EQ(open.count(), 300u);
  EXPECT_GE(open.ValueAtQuantile(0.99), 950 * kMs);
  EXPECT_GE(open.ValueAtQuantile(0.75), 200 * kMs);

  // Closed loop: one request waited out the stall; the others were never
  // sent, so they are missing from the distribution instead of slow.
  EXPECT_EQ(closed.max_ns(), 1000 * kMs + kMs);
  EXPECT_LE(closed.ValueAtQuantile(0.99), 2 * kMs);
}

}  // namespace
}  // namespace scalebench::loadgen
