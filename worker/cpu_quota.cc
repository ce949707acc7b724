#include "worker/cpu_quota.h"

#include <sys/stat.h>

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/proto_time.h"
#include "common/text_file.h"

namespace scalebench::worker {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// A hierarchy with the cpu controller: where it is mounted, whether it is
// v2, and this process's cgroup in it.
struct Hierarchy {
  std::string mount;
  bool v2 = false;
  std::string cgroup;
};

// "4:cpu,cpuacct:/a/b" (v1) or "0::/a/b" (v2), one per line.
absl::StatusOr<Hierarchy> FindHierarchy(absl::string_view proc_self_cgroup,
                                        const std::string& root) {
  std::optional<Hierarchy> v2;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(proc_self_cgroup, '\n')) {
    ++line_number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (fields.size() != 3 || !absl::StartsWith(fields[2], "/")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", line_number, ": '", line, "' is not ID:CONTROLLERS:/PATH"));
    }
    const std::string cgroup(fields[2]);
    if (fields[0] == "0" && fields[1].empty()) {
      if (IsDirectory(root) &&
          ReadTextFile(root + "/cgroup.controllers").ok()) {
        v2 = Hierarchy{root, true, cgroup};
      }
      continue;
    }
    for (absl::string_view controller : absl::StrSplit(fields[1], ',')) {
      if (controller != "cpu") continue;
      for (const std::string& mount :
           {absl::StrCat(root, "/", fields[1]), root + "/cpu"}) {
        if (IsDirectory(mount)) return Hierarchy{mount, false, cgroup};
      }
    }
  }
  if (v2.has_value()) return *v2;
  return absl::NotFoundError(absl::StrCat(
      "no cgroup hierarchy with the cpu controller is mounted under ", root));
}

// The quota of the cgroup at `dir`; nullopt for none.
absl::StatusOr<std::optional<double>> ReadQuota(const std::string& dir,
                                                bool v2) {
  std::string text;
  if (v2) {
    // The root cgroup has no cpu.max: it is never capped.
    absl::StatusOr<std::string> max = ReadTextFile(dir + "/cpu.max");
    if (!max.ok()) return std::optional<double>();
    text = *max;
  } else {
    absl::StatusOr<std::string> quota = ReadTextFile(dir + "/cpu.cfs_quota_us");
    absl::StatusOr<std::string> period =
        ReadTextFile(dir + "/cpu.cfs_period_us");
    if (!quota.ok()) return quota.status();
    if (!period.ok()) return period.status();
    text = absl::StrCat(absl::StripAsciiWhitespace(*quota), " ",
                        absl::StripAsciiWhitespace(*period));
  }
  absl::StatusOr<std::optional<double>> cpus = ParseQuota(text);
  if (!cpus.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir, ": ", cpus.status().message()));
  }
  return cpus;
}

}  // namespace

absl::StatusOr<ThrottleCounters> ParseCpuStat(absl::string_view text) {
  ThrottleCounters counters;
  bool periods = false, throttled_periods = false, throttled = false;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (fields.size() != 2) continue;
    uint64_t value = 0;
    if (!absl::SimpleAtoi(fields[1], &value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": ", fields[0], " is '",
                       fields[1], "', not a number"));
    }
    if (fields[0] == "nr_periods") {
      counters.periods = value;
      periods = true;
    } else if (fields[0] == "nr_throttled") {
      counters.throttled_periods = value;
      throttled_periods = true;
    } else if (fields[0] == "throttled_time") {  // v1, nanoseconds
      counters.throttled = absl::Nanoseconds(value);
      throttled = true;
    } else if (fields[0] == "throttled_usec") {  // v2
      counters.throttled = absl::Microseconds(value);
      throttled = true;
    }
  }
  if (!periods || !throttled_periods || !throttled) {
    return absl::InvalidArgumentError(
        "no nr_periods, nr_throttled and throttled_time (v1) or "
        "throttled_usec (v2): not the cpu controller's cpu.stat");
  }
  return counters;
}

absl::StatusOr<std::optional<double>> ParseQuota(absl::string_view text) {
  const std::vector<absl::string_view> fields =
      absl::StrSplit(text, ' ', absl::SkipWhitespace());
  if (fields.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "quota '", absl::StripAsciiWhitespace(text), "' is not QUOTA PERIOD"));
  }
  if (fields[0] == "max") return std::optional<double>();
  int64_t quota = 0;
  int64_t period = 0;
  if (!absl::SimpleAtoi(fields[0], &quota) ||
      !absl::SimpleAtoi(absl::StripAsciiWhitespace(fields[1]), &period) ||
      period <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("quota '", absl::StripAsciiWhitespace(text),
                     "' is not QUOTA PERIOD in microseconds"));
  }
  if (quota < 0) return std::optional<double>();
  return std::optional<double>(static_cast<double>(quota) /
                               static_cast<double>(period));
}

absl::StatusOr<std::optional<CpuQuota>> FindCpuQuota(
    absl::string_view proc_self_cgroup, const std::string& cgroup_root) {
  absl::StatusOr<Hierarchy> hierarchy =
      FindHierarchy(proc_self_cgroup, cgroup_root);
  if (!hierarchy.ok()) return hierarchy.status();
  std::string cgroup = hierarchy->cgroup;
  while (true) {
    const std::string dir =
        cgroup == "/" ? hierarchy->mount : hierarchy->mount + cgroup;
    absl::StatusOr<std::optional<double>> cpus = ReadQuota(dir, hierarchy->v2);
    if (!cpus.ok()) return cpus.status();
    if (cpus->has_value()) {
      return std::optional<CpuQuota>(CpuQuota{cgroup, dir, **cpus});
    }
    if (cgroup == "/") return std::optional<CpuQuota>();
    const size_t slash = cgroup.rfind('/');
    cgroup = slash == 0 ? "/" : cgroup.substr(0, slash);
  }
}

absl::StatusOr<ThrottleCounters> ReadThrottleCounters(const CpuQuota& quota) {
  const std::string path = quota.dir + "/cpu.stat";
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<ThrottleCounters> counters = ParseCpuStat(*text);
  if (!counters.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", counters.status().message()));
  }
  return counters;
}

absl::StatusOr<v1::CpuQuotaUsage> QuotaUsageBetween(
    const CpuQuota& quota, const ThrottleCounters& before,
    const ThrottleCounters& after) {
  if (after.periods < before.periods ||
      after.throttled_periods < before.throttled_periods ||
      after.throttled < before.throttled) {
    return absl::FailedPreconditionError(
        absl::StrCat("the cpu.stat counters of ", quota.cgroup,
                     " went backwards (was the cgroup recreated?)"));
  }
  v1::CpuQuotaUsage usage;
  usage.set_cgroup(quota.cgroup);
  usage.set_cpus(quota.cpus);
  usage.set_periods(after.periods - before.periods);
  usage.set_throttled_periods(after.throttled_periods -
                              before.throttled_periods);
  *usage.mutable_throttled() =
      DurationToProto(after.throttled - before.throttled);
  return usage;
}

}  // namespace scalebench::worker
