// Sanity checks on a worker's result before the coordinator stores it. A
// worker may report only what it could have measured: a window inside the
// attempt's measure phase (within the uncertainty of the worker's clock)
// and of a plausible length, latency counts that add up without wrapping,
// extremes in order, busy fractions in [0, 1]. A result that fails them is
// stored as that worker's failure instead (RefusedResult), so garbage
// fails the attempt it was sent for rather than becoming a measurement.
// Stateless functions; thread-safe.
#ifndef SCALEBENCH_COORDINATOR_TRIALS_RESULT_CHECKS_H_
#define SCALEBENCH_COORDINATOR_TRIALS_RESULT_CHECKS_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/worker.pb.h"

namespace scalebench::coordinator {

// Added to half the measured round trip for the uncertainty of a worker's
// clock offset (drift and asymmetric paths).
inline constexpr absl::Duration kClockSlack = absl::Seconds(5);
// The uncertainty when the coordinator has no estimate of the worker's
// clock yet (its first call since the coordinator started).
inline constexpr absl::Duration kUnknownClockSlack = absl::Hours(24);
// How long before its arrival a window may have begun when the
// coordinator no longer knows the measurement it was asked for (a result
// delivered after a coordinator restart).
inline constexpr absl::Duration kMaxResultAge = absl::Hours(24);
// A window may be this much longer than the planned duration, besides the
// load's request timeout (the last requests complete after the end).
inline constexpr absl::Duration kWindowSlack = absl::Seconds(10);
// A window may not be shorter than this share of the planned duration.
inline constexpr double kMinWindowShare = 0.1;
// More than one completed request per nanosecond per load generator is
// not a measurement.
inline constexpr double kMaxRequestsPerSecond = 1e9;
// A clock exchange's round trip (so twice an offset's uncertainty, and a
// skew's) is bounded by the worker's call timeout (1 s); longer is not a
// measurement.
inline constexpr absl::Duration kMaxClockRoundTrip = absl::Seconds(10);
// The longest observe_failure kept; a longer one is refused.
inline constexpr size_t kMaxObserveFailureBytes = 1024;

// What the coordinator knows when a result arrives.
struct ResultContext {
  // When it arrived, on the coordinator's wall clock.
  absl::Time receive_time;
  // The worker's clock minus the coordinator's, and the round trip of the
  // exchange it was measured in; offset unset when there is no estimate.
  std::optional<absl::Duration> clock_offset;
  absl::Duration round_trip;
  // The measurement the worker was told to make for the result's attempt
  // (T0 on the coordinator's clock and the load), when still known.
  std::optional<v1::DesiredState::Measure> measure;
};

// OK, or INVALID_ARGUMENT naming the field of `result` that no honest
// worker could have sent and why: besides the window and the counts, clock
// offsets whose uncertainty is negative or over half kMaxClockRoundTrip, a
// start skew uncertainty likewise, and observed starts from hosts the
// Measure did not name as load sources (or named twice). A result that reports
// a failure (its own or its load generator's) is not a measurement and is not
// checked.
absl::Status CheckWorkerResult(const v1::WorkerResult& result,
                               const ResultContext& context);

// What is stored instead of `result` when CheckWorkerResult refused it
// with `why`: the same key and worker, its environment, and a failure of
// kind INTERNAL whose reason says the result was refused and why.
v1::WorkerResult RefusedResult(const v1::WorkerResult& result,
                               const absl::Status& why);

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_TRIALS_RESULT_CHECKS_H_
