#include "loadgen/options.h"

#include <sched.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace scalebench::loadgen {

uint32_t AvailableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return static_cast<uint32_t>(std::max(1, CPU_COUNT(&set)));
}

uint32_t EffectiveThreads(const LoadOptions& options) {
  if (options.threads > 0) return options.threads;
  const uint32_t cores = options.cpus.empty()
                             ? AvailableCores()
                             : static_cast<uint32_t>(options.cpus.size());
  return std::min(cores, options.connections);
}

namespace {

// INVALID_ARGUMENT when `value` of `flag` exceeds kMaxDuration.
absl::Status CheckMaxDuration(const char* flag, absl::Duration value) {
  if (value <= kMaxDuration) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      flag, " ", absl::FormatDuration(value), " exceeds the maximum of ",
      absl::FormatDuration(kMaxDuration)));
}

}  // namespace

absl::Status ValidateOptions(const LoadOptions& options) {
  if (options.urls.empty()) {
    return absl::InvalidArgumentError("no URL given");
  }
  if (options.connections == 0) {
    return absl::InvalidArgumentError("--connections must be at least 1");
  }
  const bool by_duration = options.duration > absl::ZeroDuration();
  const bool by_count = options.requests > 0;
  if (by_duration == by_count) {
    return absl::InvalidArgumentError(
        "give exactly one of --duration and --requests");
  }
  if (options.duration < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--duration must be positive");
  }
  if (options.mode == Mode::kOpen && !(options.rate > 0)) {
    return absl::InvalidArgumentError(
        "open-loop mode needs --rate, in requests per second (> 0)");
  }
  if (options.mode == Mode::kClosed && options.rate > 0) {
    return absl::InvalidArgumentError(
        "--rate applies to open-loop mode only (add --mode open)");
  }
  const uint32_t threads = EffectiveThreads(options);
  if (threads > options.connections) {
    return absl::InvalidArgumentError(
        absl::StrCat("--threads ", threads, " exceeds --connections ",
                     options.connections, ": each thread needs a connection"));
  }
  if (by_count && options.requests < options.connections) {
    return absl::InvalidArgumentError(
        absl::StrCat("--requests ", options.requests,
                     " is fewer than --connections ", options.connections));
  }
  if (options.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--timeout must be positive");
  }
  if (options.warmup < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--warmup must not be negative");
  }
  if (options.start_tolerance < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--start-tolerance must not be negative");
  }
  if (options.method.empty()) {
    return absl::InvalidArgumentError("--method must not be empty");
  }
  if (absl::Status s = CheckMaxDuration("--duration", options.duration);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckMaxDuration("--warmup", options.warmup); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckMaxDuration("--timeout", options.timeout);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckMaxDuration("--start-tolerance", options.start_tolerance);
      !s.ok()) {
    return s;
  }
  for (int cpu : options.cpus) {
    if (cpu < 0) return absl::InvalidArgumentError("--cpus: negative core");
  }
  return absl::OkStatus();
}

}  // namespace scalebench::loadgen
