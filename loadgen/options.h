// What one load-generator run does: where the load goes, how it is offered,
// and for how long. Filled from the command line (flags.h) or by the worker
// from a v1.LoadSpec. Plain data; validated by ValidateOptions.
#ifndef SCALEBENCH_LOADGEN_OPTIONS_H_
#define SCALEBENCH_LOADGEN_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/field_names.h"

namespace scalebench::loadgen {

enum class Mode {
  // Each connection sends its next request when the previous one completes.
  kClosed,
  // Requests are sent at `rate` per second in total, evenly spaced across
  // connections; latency counts from each request's intended send time.
  kOpen,
};

struct LoadOptions {
  // Targets, "http://host[:port][/path]". Connections are spread over them
  // round-robin. At least one.
  std::vector<std::string> urls;
  Mode mode = Mode::kClosed;
  // Concurrent connections in total. Default 10.
  uint32_t connections = 10;
  // Event-loop threads; 0 = one per entry of `cpus`, or without `cpus` one
  // per core this process may run on; never more than `connections`.
  uint32_t threads = 0;
  // The measurement window: exactly one of `duration` (> 0) and `requests`
  // (> 0; exactly that many requests in total, as ab -n).
  absl::Duration duration = absl::ZeroDuration();
  uint64_t requests = 0;
  // Requests per second in total, for Mode::kOpen (> 0).
  double rate = 0;
  // Reuse connections (default). false = a new connection per request.
  bool keepalive = true;
  // Load offered before the measurement window and excluded from results.
  absl::Duration warmup = absl::ZeroDuration();
  // A request without a complete response after this long is a timeout
  // error and its connection is closed. Default 10 s.
  absl::Duration timeout = absl::Seconds(10);
  // The request: method (default GET), extra "Name: value" headers, body.
  std::string method = "GET";
  std::vector<std::string> headers;
  std::string body;
  // Cores the threads are pinned to, thread i on cpus[i % size]; empty =
  // not pinned.
  std::vector<int> cpus;
  // Wall-clock instant at which the measurement window starts (the warm-up
  // ends then); unset = as soon as possible. For synchronized starts across
  // hosts.
  std::optional<absl::Time> start_at;
  // How late the measurement window may open after its planned instant
  // (start_at, or the start the run plans itself) before the run fails
  // with a late start instead of measuring a shorter window. Default 5 ms;
  // zero or more.
  absl::Duration start_tolerance = absl::Milliseconds(5);
};

// INVALID_ARGUMENT naming the offending option when `options` cannot run
// (no URL, zero connections, both or neither of duration and requests,
// open loop without a rate, more threads than connections, a duration
// beyond kMaxDuration of common/flag_values.h, a core this process may not
// run on, ...). Options are named by their field names ("start_tolerance")
// spelled by `name`, so a command line can say "--start-tolerance".
absl::Status ValidateOptions(const LoadOptions& options,
                             const FieldNamer& name = FieldAsIs);

// The thread count a run uses (resolving threads = 0).
uint32_t EffectiveThreads(const LoadOptions& options);

// Cores this process may run on (its affinity mask), at least 1.
uint32_t AvailableCores();

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_OPTIONS_H_
