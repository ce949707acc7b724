// The clock arithmetic of a synchronized start, in one place for the worker
// (which measures its offset and states its skew) and the coordinator
// (which checks them): an offset from a burst of four-timestamp exchanges,
// the offset at an instant between two bursts, a load generator's start
// skew on the coordinator's clock, and whether a clock moved during an
// attempt by more than its uncertainty and a discipline's slew allow.
//
// Why the bound holds: in an exchange the request leaves at t1 (worker's
// clock) and arrives at t2 (coordinator's); the answer leaves at t3 and
// arrives at t4. With the true offset θ (coordinator minus worker) and
// one-way delays d1, d2 >= 0: t2 = t1 + θ + d1 and t4 = t3 - θ + d2, so
// t3 - t4 <= θ <= t2 - t1. The midpoint of that interval is the estimate,
// half its width (half the round trip) the uncertainty, whatever the
// delays are; the sample with the smallest round trip gives the tightest.
// Pure; thread-safe.
#ifndef SCALEBENCH_RESULTS_CLOCK_OFFSETS_H_
#define SCALEBENCH_RESULTS_CLOCK_OFFSETS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::results {

// One exchange: t1 and t4 on the worker's clock, t2 and t3 on the
// coordinator's.
struct ClockSample {
  absl::Time t1, t2, t3, t4;
};

// (t4 - t1) - (t3 - t2): the time the exchange spent outside the
// coordinator's handler.
absl::Duration RoundTrip(const ClockSample& sample);

// ((t2 - t1) + (t3 - t4)) / 2.
absl::Duration Offset(const ClockSample& sample);

// The offset a burst gives: from its sample with the smallest round trip,
// with half that round trip as the uncertainty; the burst's smallest and
// largest round trip, its sample count, and the best sample's t4. Samples
// no honest exchange gives (t4 before t1, t3 before t2, a negative round
// trip) are skipped. nullopt when no sample is usable.
std::optional<v1::ClockOffset> OffsetFromBurst(
    const std::vector<ClockSample>& samples);

// The worker's best estimate of the offset at `local` (its own clock):
// `before`'s offset until `before.time`, `after`'s from `after.time`, and
// in between the straight line joining them (a clock drifting at a steady
// rate). Its uncertainty is the larger of the two: the line's error is a
// weighted mean of theirs. Without `after` (or one not later than
// `before`), `before` alone.
struct OffsetAt {
  absl::Duration offset;
  absl::Duration uncertainty;
};
OffsetAt InterpolateOffset(const v1::ClockOffset& before,
                           const v1::ClockOffset* after, absl::Time local);

// A load generator's start skew on the coordinator's clock. Its load was
// planned to begin at `planned_start` (the coordinator's: T0 less the
// warm-up), converted to this host's clock with `before`'s offset; it
// began `lateness` after that converted instant (as the load generator
// measured it, on its monotonic clock). Returns that beginning converted
// back with the offset then (interpolated between the bursts) minus
// `planned_start`, signed (negative = early), and the uncertainty of that
// offset.
struct StartSkew {
  absl::Duration skew;
  absl::Duration uncertainty;
};
StartSkew SkewOnCoordinatorClock(absl::Duration lateness,
                                 const v1::ClockOffset& before,
                                 const v1::ClockOffset* after,
                                 absl::Time planned_start);

// How fast a clock may run against the coordinator's and still count as
// running steadily: 500 ppm, the frequency limit of the kernel's clock
// discipline (MAXFREQ in adjtimex). A clock that moved faster between two
// bursts was stepped, or slewed through a large correction (chrony slews
// faster than this when told to): the offset at T0 is then not known to
// within its stated uncertainty.
inline constexpr double kMaxSteadyRate = 500e-6;

// Why `clock` shows a step between its two bursts: the offset moved by
// more than both uncertainties plus kMaxSteadyRate times the time
// between them. nullopt when it did not (or one burst is missing). The reason
// names the worker, the offsets and their uncertainties, for people.
std::optional<std::string> ClockStepReason(const std::string& worker_id,
                                           const v1::WorkerClock& clock);

}  // namespace scalebench::results

#endif  // SCALEBENCH_RESULTS_CLOCK_OFFSETS_H_
