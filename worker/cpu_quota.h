// The CPU bandwidth limit (CFS quota) that caps this process, and how
// often it was used up over a window. A process is capped by the nearest
// cgroup, among its own and its ancestors in the hierarchy of the cpu
// controller, that sets a quota: cgroup v1 cpu.cfs_quota_us /
// cpu.cfs_period_us (quota -1 = none), v2 cpu.max ("QUOTA PERIOD", "max"
// = none). That cgroup's cpu.stat counts the enforcement periods in which
// it ran (nr_periods), those in which it used up its quota and was
// throttled (nr_throttled), and the time its tasks were held back (v1
// throttled_time in ns, v2 throttled_usec). On the testbed each host's
// slice is such a cgroup; on a real host there is usually none. Parsing
// is pure; the readers read files. Thread-safe.
#ifndef SCALEBENCH_WORKER_CPU_QUOTA_H_
#define SCALEBENCH_WORKER_CPU_QUOTA_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::worker {

inline constexpr char kProcSelfCgroupPath[] = "/proc/self/cgroup";
inline constexpr char kCgroupRoot[] = "/sys/fs/cgroup";

// A cgroup that sets a CPU quota.
struct CpuQuota {
  // As the hierarchy names it: "/sbtb/h1".
  std::string cgroup;
  // Its directory: "/sys/fs/cgroup/cpu,cpuacct/sbtb/h1".
  std::string dir;
  // quota / period, in CPUs.
  double cpus = 0;
};

// Cumulative counters of a cgroup's cpu.stat.
struct ThrottleCounters {
  uint64_t periods = 0;
  uint64_t throttled_periods = 0;
  absl::Duration throttled;
};

// Parses cpu.stat text of either version. INVALID_ARGUMENT "line N: ..."
// when a counter is not a number, or when nr_periods, nr_throttled or the
// throttled time is missing (a cgroup without the cpu controller).
absl::StatusOr<ThrottleCounters> ParseCpuStat(absl::string_view text);

// The quota in CPUs from cgroup v2 cpu.max text ("66666 100000"), or from
// the v1 files' texts joined as "QUOTA PERIOD" too; nullopt for no quota
// ("max ..." or a negative quota). INVALID_ARGUMENT when malformed.
absl::StatusOr<std::optional<double>> ParseQuota(absl::string_view text);

// The cgroup that caps this process, from the text of /proc/self/cgroup
// and the hierarchies mounted under `cgroup_root`: the v1 hierarchy whose
// line lists the cpu controller (mounted at ROOT/CONTROLLERS or ROOT/cpu),
// else the v2 one ("0::PATH", mounted at ROOT). nullopt when no cgroup on
// the way up to the root sets a quota. NOT_FOUND when no hierarchy with
// the cpu controller is mounted there; INVALID_ARGUMENT when the text or a
// quota file is malformed.
absl::StatusOr<std::optional<CpuQuota>> FindCpuQuota(
    absl::string_view proc_self_cgroup, const std::string& cgroup_root);

// Reads quota.dir/cpu.stat.
absl::StatusOr<ThrottleCounters> ReadThrottleCounters(const CpuQuota& quota);

// What happened between two readings of `quota`'s counters.
// FAILED_PRECONDITION when a counter went backwards (the cgroup was
// recreated).
absl::StatusOr<v1::CpuQuotaUsage> QuotaUsageBetween(
    const CpuQuota& quota, const ThrottleCounters& before,
    const ThrottleCounters& after);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_CPU_QUOTA_H_
