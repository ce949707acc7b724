#include "worker/cpu_usage.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace scalebench::worker {
namespace {

// /proc/stat columns after "cpuN": user nice system idle iowait irq
// softirq steal guest guest_nice. The first kTotalColumns make up the
// total; guest and guest_nice are already in user and nice.
constexpr size_t kIdleColumn = 3;
constexpr size_t kIowaitColumn = 4;
constexpr size_t kTotalColumns = 8;
constexpr size_t kMinColumns = 4;

}  // namespace

absl::StatusOr<CpuTimesMap> ParseProcStat(absl::string_view text) {
  CpuTimesMap cpus;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (fields.empty() || !absl::StartsWith(fields[0], "cpu")) continue;
    absl::string_view name = fields[0];
    name.remove_prefix(3);
    if (name.empty()) continue;  // The aggregate "cpu" line.
    int cpu = 0;
    if (!absl::SimpleAtoi(name, &cpu) || cpu < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": '", fields[0],
                       "' is not cpu followed by a CPU number"));
    }
    const size_t columns = fields.size() - 1;
    if (columns < kMinColumns) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": ", fields[0], " has ", columns,
                       " counters, expected at least ", kMinColumns));
    }
    CpuTimes times;
    for (size_t i = 0; i < std::min(columns, kTotalColumns); ++i) {
      uint64_t value = 0;
      if (!absl::SimpleAtoi(fields[i + 1], &value)) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_number, ": counter ", i + 1, " of ",
                         fields[0], " is '", fields[i + 1], "', not a number"));
      }
      times.total += value;
      if (i == kIdleColumn || i == kIowaitColumn) times.idle += value;
    }
    cpus[cpu] = times;
  }
  if (cpus.empty()) {
    return absl::InvalidArgumentError("no per-CPU line (cpuN ...) found");
  }
  return cpus;
}

absl::StatusOr<CpuTimesMap> ReadCpuTimes(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::UnavailableError(absl::StrCat("cannot read ", path));
  }
  absl::StatusOr<CpuTimesMap> times = ParseProcStat(text.str());
  if (!times.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", times.status().message()));
  }
  return times;
}

absl::StatusOr<std::vector<v1::CoreBusy>> BusyBetween(
    const CpuTimesMap& before, const CpuTimesMap& after,
    const std::vector<int>& cpus) {
  std::vector<int> sorted = cpus;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<v1::CoreBusy> busy;
  for (int cpu : sorted) {
    const auto first = before.find(cpu);
    const auto last = after.find(cpu);
    if (first == before.end() || last == after.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cpu", cpu, " is missing from a /proc/stat reading"));
    }
    const CpuTimes& a = first->second;
    const CpuTimes& b = last->second;
    if (b.total < a.total || b.idle < a.idle) {
      return absl::FailedPreconditionError(
          absl::StrCat("the counters of cpu", cpu, " went backwards"));
    }
    const uint64_t total = b.total - a.total;
    const uint64_t idle = std::min(b.idle - a.idle, total);
    v1::CoreBusy core;
    core.set_cpu(static_cast<uint32_t>(cpu));
    core.set_busy(total == 0 ? 0.0
                             : 1.0 - static_cast<double>(idle) /
                                         static_cast<double>(total));
    busy.push_back(core);
  }
  return busy;
}

}  // namespace scalebench::worker
