#include "worker/host_facts.h"

#include <sched.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace scalebench::worker {
namespace {

// How often the KVM probe looks whether its guest has ended, and how long
// its QEMU gets to exit when stopped.
constexpr absl::Duration kProbePoll = absl::Milliseconds(100);
constexpr absl::Duration kProbeStopGrace = absl::Seconds(1);
// What a probe guest's console shows when it booted to its end, and how
// much of the console is searched for it.
constexpr char kProbeEndMarker[] = "Kernel panic";
constexpr size_t kMaxConsole = 1 << 20;

std::string ReadFile(const std::string& root, const std::string& path) {
  std::ifstream in(root + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string FirstLine(const std::string& text) {
  return std::string(absl::StripAsciiWhitespace(
      absl::string_view(text).substr(0, text.find('\n'))));
}

// The value of the first "key : value" line of /proc/cpuinfo for `key`.
std::string CpuInfoValue(const std::string& cpuinfo, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(cpuinfo, '\n')) {
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    if (absl::StripAsciiWhitespace(line.substr(0, colon)) == key) {
      return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    }
  }
  return "";
}

// Online CPUs from a list like "0-3,6".
uint32_t CountCpuList(absl::string_view list) {
  uint32_t count = 0;
  for (absl::string_view part : absl::StrSplit(absl::StripAsciiWhitespace(list),
                                               ',', absl::SkipEmpty())) {
    const std::vector<absl::string_view> range = absl::StrSplit(part, '-');
    uint32_t low = 0, high = 0;
    if (range.size() == 1 && absl::SimpleAtoi(range[0], &low)) {
      ++count;
    } else if (range.size() == 2 && absl::SimpleAtoi(range[0], &low) &&
               absl::SimpleAtoi(range[1], &high) && high >= low) {
      count += high - low + 1;
    }
  }
  return count;
}

}  // namespace

v1::HostEnvironment ReadHostEnvironment(const std::string& root) {
  v1::HostEnvironment env;
  env.set_hostname(FirstLine(ReadFile(root, "/proc/sys/kernel/hostname")));
  const std::string release =
      FirstLine(ReadFile(root, "/proc/sys/kernel/osrelease"));
  const std::string version =
      FirstLine(ReadFile(root, "/proc/sys/kernel/version"));
  env.set_kernel(version.empty() ? release : release + " " + version);
  const std::string cpuinfo = ReadFile(root, "/proc/cpuinfo");
  env.set_cpu_model(CpuInfoValue(cpuinfo, "model name"));
  env.set_logical_cpus(
      CountCpuList(ReadFile(root, "/sys/devices/system/cpu/online")));
  // SMT: the kernel's own word when it has one, else siblings per core.
  const std::string smt =
      FirstLine(ReadFile(root, "/sys/devices/system/cpu/smt/active"));
  if (!smt.empty()) {
    env.set_smt(smt == "1");
  } else {
    uint32_t siblings = 0, cores = 0;
    env.set_smt(
        absl::SimpleAtoi(CpuInfoValue(cpuinfo, "siblings"), &siblings) &&
        absl::SimpleAtoi(CpuInfoValue(cpuinfo, "cpu cores"), &cores) &&
        siblings > cores);
  }
  env.set_governor(FirstLine(
      ReadFile(root, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")));
  // "MemTotal:  24567890 kB".
  for (absl::string_view line :
       absl::StrSplit(ReadFile(root, "/proc/meminfo"), '\n')) {
    if (!absl::ConsumePrefix(&line, "MemTotal:")) continue;
    line = absl::StripAsciiWhitespace(line);
    absl::ConsumeSuffix(&line, "kB");
    uint64_t kib = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kib)) {
      env.set_memory_bytes(kib * 1024);
    }
  }
  // The CPU flag "hypervisor" is set when this machine is itself a guest:
  // its numbers say the code path works, not how fast the platform is.
  const std::string flags = CpuInfoValue(cpuinfo, "flags");
  for (absl::string_view flag : absl::StrSplit(flags, ' ')) {
    if (flag == "hypervisor") env.set_nested(true);
  }
  return env;
}

std::vector<int> AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return {0};
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

bool KvmDeviceAccessible() { return access("/dev/kvm", R_OK | W_OK) == 0; }

bool ProbeKvm(const KvmProbe& probe, os::Env& env, Clock& clock) {
  if (!KvmDeviceAccessible()) return false;
  if (!env.FileExists(probe.kernel) || !env.IsExecutable(probe.qemu_binary)) {
    return false;
  }
  if (!env.MakeDirs(probe.dir).ok() ||
      !env.MakeDirs(probe.pid_file.substr(0, probe.pid_file.rfind('/'))).ok()) {
    return false;
  }
  const std::string console = absl::StrCat(probe.dir, "/console.log");
  const std::string kind = absl::StrCat(probe.dir, "/kind");
  (void)env.RemoveFile(console);
  const std::vector<std::string> argv = {probe.qemu_binary,
                                         "-name",
                                         probe.id,
                                         "-machine",
                                         "pc,accel=kvm",
                                         "-cpu",
                                         "host",
                                         "-smp",
                                         "1",
                                         "-m",
                                         "128",
                                         "-nodefaults",
                                         "-no-user-config",
                                         "-display",
                                         "none",
                                         "-no-reboot",
                                         "-serial",
                                         absl::StrCat("file:", console),
                                         "-kernel",
                                         probe.kernel,
                                         "-append",
                                         "console=ttyS0 panic=-1 loglevel=4"};
  // The kind file marks the pid file as a VM's for the qemu driver's
  // Recover(), should the worker die while the probe runs.
  if (!env.WriteFileAtomically(absl::StrCat(probe.dir, "/qemu.args"),
                               absl::StrCat(absl::StrJoin(argv, "\n"), "\n"))
           .ok() ||
      !env.WriteFileAtomically(kind, "qemu\n").ok()) {
    (void)env.RemoveFile(kind);
    return false;
  }
  os::ProcessLaunch launch;
  launch.argv = argv;
  launch.log_path = absl::StrCat(probe.dir, "/qemu.log");
  launch.pid_file = probe.pid_file;
  bool booted = false;
  if (env.StartProcess(launch).ok()) {
    const absl::Duration deadline = clock.Monotonic() + probe.timeout;
    while (clock.Monotonic() < deadline) {
      absl::StatusOr<pid_t> pid = env.FindProcess(launch.pid_file);
      if (!pid.ok()) break;
      if (*pid == 0) {
        booted = absl::StrContains(env.ReadFileTail(console, kMaxConsole),
                                   kProbeEndMarker);
        break;
      }
      clock.SleepUntil(clock.Monotonic() + kProbePoll);
    }
  }
  (void)env.StopProcess(launch.pid_file, kProbeStopGrace);
  // The probe is a fact, not a target: nothing of it stays in the runtime
  // dir (which is released at the worker's end only when empty).
  (void)env.RemoveTree(probe.dir);
  return booted;
}

v1::HostFacts MakeHostFacts(const v1::HostEnvironment& environment,
                            const std::vector<std::string>& addresses,
                            const std::vector<Capability>& platforms,
                            const std::vector<Capability>& balancers,
                            const std::vector<int>& cpus) {
  v1::HostFacts facts;
  *facts.mutable_environment() = environment;
  auto& versions = *facts.mutable_environment()->mutable_versions();
  for (const std::string& address : addresses) facts.add_addresses(address);
  for (const Capability& p : platforms) {
    facts.add_platforms(static_cast<v1::Platform>(p.kind));
    if (!p.program.empty()) versions[p.program] = p.version;
  }
  for (const Capability& b : balancers) {
    facts.add_balancers(static_cast<v1::BalancerKind>(b.kind));
    if (!b.program.empty()) versions[b.program] = b.version;
  }
  for (int cpu : cpus) facts.add_cpus(static_cast<uint32_t>(cpu));
  return facts;
}

}  // namespace scalebench::worker
