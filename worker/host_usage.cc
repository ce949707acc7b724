#include "worker/host_usage.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/text_file.h"

namespace scalebench::worker {
namespace {

absl::StatusOr<std::optional<CpuQuota>> FindQuota(const UsageSources& sources) {
  absl::StatusOr<std::string> self = ReadTextFile(sources.proc_self_cgroup);
  if (!self.ok()) return self.status();
  return FindCpuQuota(*self, sources.cgroup_root);
}

}  // namespace

HostUsageMeter::HostUsageMeter(UsageSources sources, std::vector<int> cpus)
    : sources_(std::move(sources)),
      cpus_(std::move(cpus)),
      cpu_times_(ReadCpuTimes(sources_.proc_stat)),
      quota_(FindQuota(sources_)),
      throttle_(absl::FailedPreconditionError("no quota")) {
  if (quota_.ok() && quota_->has_value()) {
    throttle_ = ReadThrottleCounters(**quota_);
  }
}

absl::StatusOr<std::vector<v1::CoreBusy>> HostUsageMeter::BusySince() const {
  if (!cpu_times_.ok()) return cpu_times_.status();
  absl::StatusOr<CpuTimesMap> after = ReadCpuTimes(sources_.proc_stat);
  if (!after.ok()) return after.status();
  return BusyBetween(*cpu_times_, *after, cpus_);
}

absl::StatusOr<v1::CpuQuotaUsage> HostUsageMeter::QuotaSince() const {
  if (!throttle_.ok()) return throttle_.status();
  absl::StatusOr<ThrottleCounters> after = ReadThrottleCounters(**quota_);
  if (!after.ok()) return after.status();
  return QuotaUsageBetween(**quota_, *throttle_, *after);
}

HostUsage HostUsageMeter::End() const {
  HostUsage usage;
  absl::StatusOr<std::vector<v1::CoreBusy>> busy = BusySince();
  if (busy.ok()) {
    usage.core_busy = *std::move(busy);
  } else {
    usage.problems.push_back(
        absl::StrCat("core usage not measured: ", busy.status().message()));
  }

  if (!quota_.ok()) {
    usage.problems.push_back(
        absl::StrCat("CPU quota not measured: ", quota_.status().message()));
    return usage;
  }
  if (!quota_->has_value()) return usage;
  absl::StatusOr<v1::CpuQuotaUsage> quota = QuotaSince();
  if (quota.ok()) {
    usage.cpu_quota = *std::move(quota);
  } else {
    usage.problems.push_back(
        absl::StrCat("CPU quota not measured: ", quota.status().message()));
  }
  return usage;
}

}  // namespace scalebench::worker
