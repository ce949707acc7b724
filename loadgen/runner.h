// Runs a whole load-generator run: validates the options, resolves the
// targets, checks that they answer, raises the file-descriptor limit,
// starts one EventLoop per thread at the planned instant, and merges what
// the threads counted into a v1.LoadgenResult. This is the entry point the
// worker uses; scalebench-loadgen is a thin command line around it.
#ifndef SCALEBENCH_LOADGEN_RUNNER_H_
#define SCALEBENCH_LOADGEN_RUNNER_H_

#include <functional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "loadgen/options.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::loadgen {

// Errors, each with a message that says what to fix:
//   INVALID_ARGUMENT    bad options, URL or header; a core not available
//   NOT_FOUND           a host that does not resolve
//   UNAVAILABLE         a target that refuses or does not answer a TCP
//                       connection before the run starts
//   RESOURCE_EXHAUSTED  the file-descriptor limit is below what the run
//                       needs and cannot be raised
// Failures of individual requests are not errors: they are counted in the
// result. Neither is a late start: when the window would open (or did
// open) later than options.start_tolerance after options.start_at, the
// result has `failure` set (FAILURE_KIND_LATE_START) with `start_skew` the
// lateness; if that was known before starting, no load was sent. Without
// start_at the skew is still measured, against the run's own planned
// start, but is no failure.
//
// `progress`, if set, is called about once a second from the calling
// thread while the load runs.
struct Progress {
  absl::Duration elapsed;  // Since the load began (warm-up included).
  bool warming_up;
  uint64_t requests;  // Measured so far, all threads.
  uint64_t errors;
};
//
// `clock` plans the start and converts start_at to monotonic time. Its
// Monotonic() must read CLOCK_MONOTONIC, as Clock::Real()'s does, because
// the threads wait and time requests on that clock; a wrapper may change
// Wall() (a host whose clock is off).
absl::StatusOr<v1::LoadgenResult> RunLoad(
    const LoadOptions& options,
    const std::function<void(const Progress&)>& progress = nullptr,
    Clock* clock = Clock::Real());

// Raises RLIMIT_NOFILE so that `needed` descriptors can be open: the soft
// limit up to the hard one, and the hard one too when privileged.
// RESOURCE_EXHAUSTED, saying the limits and how to raise them, when it
// cannot be done.
absl::Status EnsureFileLimit(uint64_t needed);

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_RUNNER_H_
