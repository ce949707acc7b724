// How busy each CPU was over an interval, from the kernel's cumulative
// per-CPU time counters in /proc/stat: read them before and after, and
// each CPU's busy fraction is 1 - (idle + iowait) / total of the ticks in
// between. Parsing and arithmetic are pure functions; ReadCpuTimes reads a
// file. Thread-safe.
#ifndef SCALEBENCH_WORKER_CPU_USAGE_H_
#define SCALEBENCH_WORKER_CPU_USAGE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::worker {

inline constexpr char kProcStatPath[] = "/proc/stat";

// One CPU's cumulative time, in clock ticks (USER_HZ) since boot.
struct CpuTimes {
  // idle + iowait.
  uint64_t idle = 0;
  // user + nice + system + idle + iowait + irq + softirq + steal (guest
  // time is already counted in user and nice).
  uint64_t total = 0;
};

// CPU number ("cpu3" -> 3) to its times.
using CpuTimesMap = std::map<int, CpuTimes>;

// The per-CPU lines of /proc/stat text ("cpuN user nice system idle
// iowait irq softirq steal ..."); the aggregate "cpu" line and every other
// line are ignored. Kernels older than 2.6.11 give fewer columns; missing
// ones count as 0. INVALID_ARGUMENT "line N: ..." when a cpuN line has
// fewer than 4 counters or one is not a number, and when no cpuN line is
// found at all.
absl::StatusOr<CpuTimesMap> ParseProcStat(absl::string_view text);

// Reads and parses the file at `path` (default /proc/stat). NOT_FOUND or
// UNAVAILABLE when it cannot be read; ParseProcStat's errors, prefixed
// with the path.
absl::StatusOr<CpuTimesMap> ReadCpuTimes(
    const std::string& path = kProcStatPath);

// The busy fraction of each of `cpus` (in ascending CPU order, duplicates
// once) between two readings: 1 - idle ticks / total ticks elapsed, in
// [0, 1]; 0 when no tick elapsed. FAILED_PRECONDITION when a CPU is
// missing from either reading (offline, or not this host's) or its
// counters went backwards.
absl::StatusOr<std::vector<v1::CoreBusy>> BusyBetween(
    const CpuTimesMap& before, const CpuTimesMap& after,
    const std::vector<int>& cpus);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_CPU_USAGE_H_
