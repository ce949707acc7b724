// What one load-generator thread counted in the measurement window. Each
// thread owns one; they are merged after the threads have joined. Not
// thread-safe.
#ifndef SCALEBENCH_LOADGEN_THREAD_STATS_H_
#define SCALEBENCH_LOADGEN_THREAD_STATS_H_

#include <array>
#include <cstdint>
#include <vector>

#include "results/histogram.h"

namespace scalebench::loadgen {

enum class ErrorKind : uint8_t {
  kConnect,  // Connection refused, unreachable, ...
  kRead,     // Reset, or closed before the response ended.
  kWrite,    // Sending the request failed.
  kTimeout,  // No complete response within the timeout.
  kParse,    // Malformed or oversized response.
  kStatus,   // A complete response with a status outside 2xx.
};
constexpr int kErrorKinds = 6;

// Why a response counted as a kParse error was rejected; the fields of
// v1.ParseErrorCounts, in order.
enum class ParseCause : uint8_t {
  kStatusLine,
  kHeaderSyntax,
  kHeadersTooLarge,
  kContentLength,
  kChunkSyntax,
  kUnsupported,
  kUnexpectedData,  // Bytes that belong to no request.
};
constexpr int kParseCauses = 7;

struct SecondStats {
  uint64_t requests = 0;
  uint64_t errors = 0;
  uint64_t bytes = 0;
  uint64_t latency_sum_ns = 0;
  uint64_t latency_max_ns = 0;
};

struct ThreadStats {
  // Responses (any status) to requests sent in the window.
  uint64_t requests = 0;
  // By status code: index 0 = 100 ... 499 = 599 (the classes are sums of
  // these).
  std::array<uint64_t, 500> statuses{};
  std::array<uint64_t, kErrorKinds> errors{};
  // The kParse errors by cause; they sum to errors[kParse].
  std::array<uint64_t, kParseCauses> parse_causes{};
  uint64_t bytes_received = 0;
  uint64_t bytes_sent = 0;
  // Responses to requests sent during the warm-up (excluded above).
  uint64_t warmup_requests = 0;
  results::Histogram latency;
  // Indexed by whole seconds since the window started.
  std::vector<SecondStats> series;
  // Monotonic instants: when the thread actually began (after any wait for
  // the start, once its first connection's first step was taken), and when
  // its last measured request ended.
  int64_t began_ns = 0;
  int64_t last_done_ns = 0;
  // How far the true beginning may be from began_ns (half the first
  // connect's duration). Merged, the latest thread's, with its began_ns.
  int64_t began_within_ns = 0;
  // The same two for one thread; merged, the earliest thread's (0 in an
  // empty accumulator).
  int64_t first_began_ns = 0;
  int64_t first_began_within_ns = 0;
  // CPU the thread used from the start of the window to its end.
  int64_t cpu_user_ns = 0;
  int64_t cpu_system_ns = 0;

  SecondStats& Second(int64_t since_window_start_ns) {
    const size_t s =
        since_window_start_ns <= 0
            ? 0
            : static_cast<size_t>(since_window_start_ns / 1'000'000'000);
    if (s >= series.size()) series.resize(s + 1);
    return series[s];
  }

  uint64_t TotalErrors() const {
    uint64_t total = 0;
    for (uint64_t e : errors) total += e;
    return total;
  }

  // Adds `other`'s counts into this one (began_ns and last_done_ns become
  // the later of the two, first_began_ns the earlier of the set ones).
  void Merge(const ThreadStats& other);
};

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_THREAD_STATS_H_
