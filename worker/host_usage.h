// How this host's CPUs were used over one measurement window: each core's
// busy fraction (cpu_usage.h) and how often the CPU quota that caps the
// worker, if any, was used up (cpu_quota.h). A HostUsageMeter reads the
// counters when made and again at End. Not thread-safe; one per window.
#ifndef SCALEBENCH_WORKER_HOST_USAGE_H_
#define SCALEBENCH_WORKER_HOST_USAGE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scalebench/v1/results.pb.h"
#include "worker/cpu_quota.h"
#include "worker/cpu_usage.h"

namespace scalebench::worker {

// Where the counters are read; tests point them at files of their own.
struct UsageSources {
  std::string proc_stat = kProcStatPath;
  std::string proc_self_cgroup = kProcSelfCgroupPath;
  std::string cgroup_root = kCgroupRoot;
};

struct HostUsage {
  // In CPU number order; empty when not measured.
  std::vector<v1::CoreBusy> core_busy;
  // Unset when no quota caps the worker or it could not be read.
  std::optional<v1::CpuQuotaUsage> cpu_quota;
  // Why something was not measured, one sentence each ("core usage not
  // measured: cannot open /proc/stat: ..."); no quota is not a problem.
  std::vector<std::string> problems;
};

class HostUsageMeter {
 public:
  // Reads the counters of `cpus` and of the worker's CPU quota now.
  HostUsageMeter(UsageSources sources, std::vector<int> cpus);

  // Reads them again: the usage since construction.
  HostUsage End() const;

 private:
  // The differences since construction; a reading's error.
  absl::StatusOr<std::vector<v1::CoreBusy>> BusySince() const;
  // Only when a quota was found.
  absl::StatusOr<v1::CpuQuotaUsage> QuotaSince() const;

  UsageSources sources_;
  std::vector<int> cpus_;
  absl::StatusOr<CpuTimesMap> cpu_times_;
  absl::StatusOr<std::optional<CpuQuota>> quota_;
  absl::StatusOr<ThrottleCounters> throttle_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_HOST_USAGE_H_
