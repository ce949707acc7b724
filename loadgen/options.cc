#include "loadgen/options.h"

#include <errno.h>
#include <sched.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/flag_values.h"

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

// INVALID_ARGUMENT when `value` of `field` exceeds kMaxDuration.
absl::Status CheckMaxDuration(const std::string& field, absl::Duration value) {
  if (value <= kMaxDuration) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, " ", absl::FormatDuration(value), " exceeds the maximum of ",
      absl::FormatDuration(kMaxDuration)));
}

// INVALID_ARGUMENT when a core of `cpus` is not in this process's affinity
// mask.
absl::Status CheckCpusAvailable(const std::vector<int>& cpus,
                                const std::string& field) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
    return absl::InternalError(
        absl::StrCat("sched_getaffinity: ", std::strerror(errno)));
  }
  for (int cpu : cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": core ", cpu,
                       " is not available to this process (see nproc and "
                       "taskset -p $$)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateOptions(const LoadOptions& options,
                             const FieldNamer& name) {
  if (options.urls.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no URL given (", name("urls"), ")"));
  }
  if (options.connections == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name("connections"), " must be at least 1"));
  }
  const bool by_duration = options.duration > absl::ZeroDuration();
  const bool by_count = options.requests > 0;
  if (by_duration == by_count) {
    return absl::InvalidArgumentError(absl::StrCat(
        "give exactly one of ", name("duration"), " and ", name("requests")));
  }
  if (options.duration < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name("duration"), " must be positive"));
  }
  if (options.mode == Mode::kOpen && !(options.rate > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("open-loop mode needs ", name("rate"),
                     ", in requests per second (> 0)"));
  }
  if (options.mode == Mode::kClosed && options.rate > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name("rate"), " applies to open-loop mode only (set ",
                     name("mode"), " to open)"));
  }
  // Each connection waits connections / rate between its requests; bounded
  // like any duration so the pacer's arithmetic cannot overflow.
  if (options.mode == Mode::kOpen &&
      absl::Seconds(options.connections / options.rate) > kMaxDuration) {
    return absl::InvalidArgumentError(absl::StrCat(
        name("rate"), " ", options.rate, " is so low that each of ",
        options.connections, " connections would wait more than ",
        absl::FormatDuration(kMaxDuration), " between requests"));
  }
  const uint32_t threads = EffectiveThreads(options);
  if (threads > options.connections) {
    return absl::InvalidArgumentError(absl::StrCat(
        name("threads"), " ", threads, " exceeds ", name("connections"), " ",
        options.connections, ": each thread needs a connection"));
  }
  if (by_count && options.requests < options.connections) {
    return absl::InvalidArgumentError(
        absl::StrCat(name("requests"), " ", options.requests, " is fewer than ",
                     name("connections"), " ", options.connections));
  }
  if (options.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name("timeout"), " must be positive"));
  }
  if (options.warmup < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name("warmup"), " must not be negative"));
  }
  if (options.start_tolerance < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name("start_tolerance"), " must not be negative"));
  }
  if (options.method.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name("method"), " must not be empty"));
  }
  const std::pair<const char*, absl::Duration> durations[] = {
      {"duration", options.duration},
      {"warmup", options.warmup},
      {"timeout", options.timeout},
      {"start_tolerance", options.start_tolerance}};
  for (const auto& [field, value] : durations) {
    if (absl::Status s = CheckMaxDuration(name(field), value); !s.ok()) {
      return s;
    }
  }
  return CheckCpusAvailable(options.cpus, name("cpus"));
}

}  // namespace scalebench::loadgen
