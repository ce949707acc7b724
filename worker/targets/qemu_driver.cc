#include "worker/targets/qemu_driver.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "worker/process.h"

namespace scalebench::worker {
namespace {

// The guest port nginx listens on inside both images.
constexpr int kGuestPort = 80;
// A VM's vCPUs; QEMU's pc machine takes more, but no target needs them.
constexpr uint32_t kMaxVcpus = 64;
// How long Stop() lets QEMU exit on SIGTERM before SIGKILL.
constexpr absl::Duration kStopGrace = absl::Seconds(5);
constexpr absl::Duration kProbePoll = absl::Milliseconds(100);
// How long Start() waits for QEMU to open its forwarded port (or to exit
// because it cannot) before returning anyway; a few ms when all is well.
constexpr absl::Duration kListenWait = absl::Seconds(5);
constexpr absl::Duration kListenPoll = absl::Milliseconds(10);
// The probe guest's id suffix: "<owner>-kvm-probe".
constexpr char kProbeSuffix[] = "-kvm-probe";
// The prefix file naming the driver that made it (as worker/owned_process.h
// does on main for native and balancer processes), and our name in it.
constexpr char kKindFile[] = "kind";
constexpr char kKind[] = "qemu";
// What a probe guest's console shows when it booted to its end.
constexpr char kProbeEndMarker[] = "Kernel panic";

bool ValidIdChars(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return id != "." && id != "..";
}

bool IsIpv4(const std::string& address) {
  in_addr unused;
  return inet_pton(AF_INET, address.c_str(), &unused) == 1;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Whether `program` runs: an executable path, or a name found on PATH.
bool Executable(const std::string& program) {
  if (absl::StrContains(program, '/')) {
    return access(program.c_str(), X_OK) == 0;
  }
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    if (access(absl::StrCat(dir, "/", program).c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

std::string Absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return path;
  return absl::StrCat(cwd, "/", path);
}

absl::Status MakeDirs(const std::string& path) {
  std::string prefix;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    absl::StrAppend(&prefix, "/", part);
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::InternalError(
          absl::StrCat("mkdir ", prefix, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

// The NUL-separated command line of a running process; empty when gone.
std::vector<std::string> CommandLine(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/cmdline"), std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return absl::StrSplit(text.str(), '\0', absl::SkipEmpty());
}

bool FileContains(const std::string& path, absl::string_view needle) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return absl::StrContains(text.str(), needle);
}

// The listening TCP (IPv4) sockets on `port`, as /proc/PID/fd links name
// them: "socket:[INODE]".
std::vector<std::string> Listeners(uint16_t port) {
  std::ifstream tcp("/proc/net/tcp");
  std::string line;
  std::vector<std::string> inodes;
  std::getline(tcp, line);  // The header.
  while (std::getline(tcp, line)) {
    const std::vector<absl::string_view> f =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout
    // inode ...; st 0A is LISTEN.
    if (f.size() < 10 || f[3] != "0A") continue;
    const size_t colon = f[1].rfind(':');
    unsigned long local_port = 0;
    if (colon == absl::string_view::npos ||
        !absl::SimpleHexAtoi(f[1].substr(colon + 1), &local_port) ||
        local_port != port) {
      continue;
    }
    inodes.push_back(absl::StrCat("socket:[", f[9], "]"));
  }
  return inodes;
}

// Whether process `pid` holds a listening socket on `port` that is not one
// of `before` (sockets it may have inherited from the worker): QEMU opens
// its hostfwd listener during start-up, and exits instead when the port is
// taken.
bool OpenedListener(pid_t pid, uint16_t port,
                    const std::vector<std::string>& before) {
  std::vector<std::string> inodes = Listeners(port);
  inodes.erase(std::remove_if(inodes.begin(), inodes.end(),
                              [&](const std::string& inode) {
                                return std::find(before.begin(), before.end(),
                                                 inode) != before.end();
                              }),
               inodes.end());
  if (inodes.empty()) return false;
  const std::string fd_dir = absl::StrCat("/proc/", pid, "/fd");
  DIR* dir = opendir(fd_dir.c_str());
  if (dir == nullptr) return false;
  bool found = false;
  while (dirent* entry = readdir(dir)) {
    char target[64];
    const ssize_t n = readlink(absl::StrCat(fd_dir, "/", entry->d_name).c_str(),
                               target, sizeof(target) - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    for (const std::string& inode : inodes) found |= inode == target;
  }
  closedir(dir);
  return found;
}

// StopProcess counts a process as gone once its main thread is a zombie,
// but QEMU's other threads may still be tearing the guest down, and until
// they finish the zombie cannot be reaped: a worker that went on would
// keep it forever (and a test that exits would hand it to init). So, for
// our own children, wait until waitpid reaps it (bounded).
void WaitReaped(pid_t pid, Clock& clock) {
  const absl::Duration deadline = clock.Monotonic() + kStopGrace;
  while (clock.Monotonic() < deadline) {
    const pid_t r = waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return;
    clock.SleepUntil(clock.Monotonic() + kListenPoll);
  }
}

std::string VcpuWord(uint32_t n) {
  return absl::StrCat(n, n == 1 ? " vCPU" : " vCPUs");
}

}  // namespace

QemuDriver::QemuDriver(const WorkerContext& context, QemuOptions options)
    : context_(context), options_([&] {
        options.image_dir = Absolute(options.image_dir);
        return options;
      }()) {}

std::string QemuDriver::PidFile(const std::string& id) const {
  return absl::StrCat(context_.runtime(), "/run/", id, ".pid");
}

std::string QemuDriver::TargetDir(const std::string& id) const {
  return absl::StrCat(context_.runtime(), "/targets/", id);
}

absl::Status QemuDriver::CheckUsable() {
  if (!Executable(options_.qemu_binary)) {
    return absl::FailedPreconditionError(
        absl::StrCat(options_.qemu_binary,
                     " not found: install qemu-system-x86 "
                     "(deploy/install-deps.sh)"));
  }
  for (const char* name :
       {"vmlinuz", "general.cpio.gz", "single-app.cpio.gz"}) {
    const std::string path = absl::StrCat(options_.image_dir, "/", name);
    if (!FileExists(path)) {
      return absl::FailedPreconditionError(
          absl::StrCat("no QEMU image ", path,
                       ": build them with deploy/images/build-qemu-images.sh ",
                       options_.image_dir));
    }
  }
  return absl::OkStatus();
}

std::string QemuDriver::Accelerator() {
  switch (options_.accel) {
    case QemuAccel::kKvm:
      return "kvm";
    case QemuAccel::kTcg:
      return "tcg";
    case QemuAccel::kAuto:
      break;
  }
  if (!kvm_usable_.has_value()) kvm_usable_ = ProbeKvm();
  return *kvm_usable_ ? "kvm" : "tcg";
}

// KVM can be present and still hang guests (nested virtualization without
// the host's support): a few real-mode instructions run, a Linux kernel
// never prints a line. So the probe boots our kernel with no initramfs and
// no root device: it panics at the end of boot and, with -no-reboot, QEMU
// exits. Booted = exited in time with the panic on the console.
bool QemuDriver::ProbeKvm() {
  if (access("/dev/kvm", R_OK | W_OK) != 0) return false;
  const std::string kernel = absl::StrCat(options_.image_dir, "/vmlinuz");
  if (!FileExists(kernel) || !Executable(options_.qemu_binary)) return false;
  const std::string id = absl::StrCat(context_.owner, kProbeSuffix);
  const std::string dir = TargetDir(id);
  if (!MakeDirs(dir).ok() ||
      !MakeDirs(absl::StrCat(context_.runtime(), "/run")).ok()) {
    return false;
  }
  const std::string console = absl::StrCat(dir, "/console.log");
  unlink(console.c_str());
  const std::vector<std::string> argv = {options_.qemu_binary,
                                         "-name",
                                         id,
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
                                         kernel,
                                         "-append",
                                         "console=ttyS0 panic=-1 loglevel=4"};
  std::ofstream(absl::StrCat(dir, "/qemu.args"), std::ios::trunc)
      << absl::StrJoin(argv, "\n") << "\n";
  std::ofstream(absl::StrCat(dir, "/", kKindFile), std::ios::trunc)
      << kKind << "\n";
  ProcessLaunch launch;
  launch.argv = argv;
  launch.log_path = absl::StrCat(dir, "/qemu.log");
  launch.pid_file = PidFile(id);
  bool booted = false;
  if (StartProcess(launch).ok()) {
    Clock& clock = *context_.clock;
    const absl::Duration deadline =
        clock.Monotonic() + options_.kvm_probe_timeout;
    while (clock.Monotonic() < deadline) {
      absl::StatusOr<pid_t> pid = FindProcess(launch.pid_file);
      if (!pid.ok()) break;
      if (*pid == 0) {
        booted = FileContains(console, kProbeEndMarker);
        break;
      }
      clock.SleepUntil(clock.Monotonic() + kProbePoll);
    }
  }
  (void)StopProcess(launch.pid_file, *context_.clock, absl::Seconds(1));
  unlink(absl::StrCat(dir, "/", kKindFile).c_str());
  return booted;
}

absl::StatusOr<LaunchPlan> QemuDriver::Plan(const TargetLaunch& launch) {
  const std::string prefix = context_.owner + "-";
  if (!ValidIdChars(launch.id) || !absl::StartsWith(launch.id, prefix) ||
      launch.id.size() == prefix.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("target id \"", launch.id, "\" must be ", prefix,
                     "<name> with letters, digits, '.', '_' and '-' only"));
  }
  if (!IsIpv4(launch.listen_address)) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", launch.listen_address, "\" of ",
                     launch.id, " is not an IPv4 address"));
  }
  if (launch.port == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("target ", launch.id, " has no port"));
  }
  if (launch.vcpus == 0 || launch.vcpus > kMaxVcpus) {
    return absl::InvalidArgumentError(absl::StrCat(
        "vcpus of ", launch.id, " is ", launch.vcpus, "; 1 to ", kMaxVcpus));
  }
  if (launch.memory_mb < kQemuMinMemoryMb) {
    return absl::InvalidArgumentError(
        absl::StrCat("memory_mb of ", launch.id, " is ", launch.memory_mb,
                     "; a QEMU guest needs at least ", kQemuMinMemoryMb));
  }
  std::string kernel = absl::StrCat(options_.image_dir, "/vmlinuz");
  std::string initrd;
  std::string what;
  if (!launch.image.empty()) {
    const std::vector<std::string> parts = absl::StrSplit(launch.image, ',');
    if (parts.size() > 2 || parts[0].empty() ||
        (parts.size() == 2 && parts[1].empty())) {
      return absl::InvalidArgumentError(
          absl::StrCat("image \"", launch.image, "\" of ", launch.id,
                       " must be KERNEL or KERNEL,INITRD"));
    }
    kernel = Absolute(parts[0]);
    if (parts.size() == 2) initrd = Absolute(parts[1]);
    what = kernel;
  } else {
    const std::string variant =
        launch.variant.empty() ? kQemuVariantGeneral : launch.variant;
    if (variant != kQemuVariantGeneral && variant != kQemuVariantSingleApp) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variant \"", launch.variant, "\" of ", launch.id, " must be \"",
          kQemuVariantGeneral, "\" or \"", kQemuVariantSingleApp, "\""));
    }
    initrd = absl::StrCat(options_.image_dir, "/", variant, ".cpio.gz");
    what = variant;
  }

  const std::string accel = Accelerator();
  const std::string dir = TargetDir(launch.id);
  const uint32_t workers =
      launch.worker_processes > 0 ? launch.worker_processes : launch.vcpus;
  std::vector<std::string> argv = {options_.qemu_binary, "-name", launch.id,
                                   "-machine",
                                   absl::StrCat("pc,accel=", accel)};
  if (accel == "kvm") {
    argv.insert(argv.end(), {"-cpu", "host"});
  }
  argv.insert(argv.end(),
              {"-smp", absl::StrCat(launch.vcpus), "-m",
               absl::StrCat(launch.memory_mb), "-nodefaults", "-no-user-config",
               "-display", "none", "-monitor", "none", "-no-reboot", "-serial",
               absl::StrCat("file:", dir, "/console.log"), "-kernel", kernel});
  if (!initrd.empty()) argv.insert(argv.end(), {"-initrd", initrd});
  argv.insert(argv.end(),
              {"-append",
               absl::StrCat("console=ttyS0 panic=-1 quiet scalebench.workers=",
                            workers, " scalebench.page=", launch.page_bytes),
               "-netdev",
               absl::StrCat("user,id=n0,hostfwd=tcp:", launch.listen_address,
                            ":", launch.port, "-:", kGuestPort),
               "-device", "virtio-net-pci,netdev=n0"});

  LaunchPlan plan;
  plan.summary = absl::StrCat(
      "target ", launch.index, ": qemu ", what, " (", accel, ") with ",
      VcpuWord(launch.vcpus), ", ", launch.memory_mb, " MiB on cores ",
      launch.cpus.empty() ? "any" : absl::StrJoin(launch.cpus, ","), ", ",
      launch.listen_address, ":", launch.port);
  plan.files.push_back(
      {absl::StrCat(dir, "/qemu.args"), absl::StrJoin(argv, "\n") + "\n"});
  plan.files.push_back(
      {absl::StrCat(dir, "/", kKindFile), absl::StrCat(kKind, "\n")});
  plan.commands.push_back(std::move(argv));
  return plan;
}

absl::StatusOr<Target> QemuDriver::Start(const TargetLaunch& launch) {
  absl::StatusOr<LaunchPlan> plan = Plan(launch);
  if (!plan.ok()) return plan.status();
  const std::vector<std::string>& argv = plan->commands.front();
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if ((argv[i] == "-kernel" || argv[i] == "-initrd") &&
        !FileExists(argv[i + 1])) {
      return absl::FailedPreconditionError(absl::StrCat(
          "no ", argv[i] == "-kernel" ? "kernel " : "initramfs ", argv[i + 1],
          " for ", launch.id,
          launch.image.empty()
              ? absl::StrCat(
                    ": build it with deploy/images/build-qemu-images.sh ",
                    options_.image_dir)
              : ""));
    }
  }
  const std::string pid_file = PidFile(launch.id);
  absl::StatusOr<pid_t> running = FindProcess(pid_file);
  if (!running.ok()) return running.status();
  if (*running != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "target ", launch.id, " already runs (pid ", *running, ")"));
  }
  const std::string dir = TargetDir(launch.id);
  if (absl::Status s = MakeDirs(dir); !s.ok()) return s;
  if (absl::Status s = MakeDirs(absl::StrCat(context_.runtime(), "/run"));
      !s.ok()) {
    return s;
  }
  for (const LaunchPlan::File& file : plan->files) {
    std::ofstream out(file.path, std::ios::trunc);
    out << file.contents;
    if (!out) return absl::InternalError("cannot write " + file.path);
  }
  const std::string console = absl::StrCat(dir, "/console.log");
  const std::string qemu_log = absl::StrCat(dir, "/qemu.log");
  unlink(console.c_str());
  unlink(qemu_log.c_str());

  ProcessLaunch process;
  process.argv = argv;
  process.cpus = launch.cpus;
  process.log_path = qemu_log;
  process.pid_file = pid_file;
  const std::vector<std::string> listeners_before = Listeners(launch.port);
  absl::StatusOr<pid_t> pid = StartProcess(process);
  if (!pid.ok()) {
    unlink(absl::StrCat(dir, "/", kKindFile).c_str());
    return absl::InternalError(absl::StrCat("QEMU of ", launch.id,
                                            " failed: ", pid.status().message(),
                                            " ", LogTail(console, 500)));
  }
  // QEMU sets up hostfwd after parsing everything else: a port in use
  // makes it exit then, later than StartProcess's check may look.
  Clock& clock = *context_.clock;
  const absl::Duration deadline = clock.Monotonic() + kListenWait;
  while (!OpenedListener(*pid, launch.port, listeners_before) &&
         clock.Monotonic() < deadline) {
    absl::StatusOr<pid_t> alive = FindProcess(pid_file);
    if (alive.ok() && *alive == 0) {
      unlink(pid_file.c_str());
      unlink(absl::StrCat(dir, "/", kKindFile).c_str());
      return absl::InternalError(absl::StrCat("QEMU of ", launch.id,
                                              " exited: ", LogTail(qemu_log),
                                              " ", LogTail(console, 500)));
    }
    clock.SleepUntil(clock.Monotonic() + kListenPoll);
  }
  return Target{launch.id,
                absl::StrCat(launch.listen_address, ":", launch.port)};
}

bool QemuDriver::IsOurs(const std::string& id) const {
  std::ifstream kind_file(absl::StrCat(TargetDir(id), "/", kKindFile));
  std::string kind;
  std::getline(kind_file, kind);
  if (absl::StripAsciiWhitespace(kind) != kKind) return false;
  absl::StatusOr<pid_t> pid = FindProcess(PidFile(id));
  if (!pid.ok()) return false;
  if (*pid == 0) return true;  // A stale pid file of a VM that is gone.
  // Alive: only if it is QEMU running this VM (a native nginx may have
  // reused the id since).
  const std::vector<std::string> cmdline = CommandLine(*pid);
  for (size_t i = 0; i + 1 < cmdline.size(); ++i) {
    if (cmdline[i] == "-name" && cmdline[i + 1] == id) return true;
  }
  return false;
}

std::vector<std::string> QemuDriver::OurIds() const {
  std::vector<std::string> ids;
  const std::string run = absl::StrCat(context_.runtime(), "/run");
  DIR* dir = opendir(run.c_str());
  if (dir == nullptr) return ids;
  const std::string prefix = context_.owner + "-";
  while (dirent* entry = readdir(dir)) {
    absl::string_view name = entry->d_name;
    if (!absl::ConsumeSuffix(&name, ".pid") ||
        !absl::StartsWith(name, prefix) || !ValidIdChars(name)) {
      continue;
    }
    std::string id(name);
    if (IsOurs(id)) ids.push_back(std::move(id));
  }
  closedir(dir);
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::Status QemuDriver::Stop(const std::string& id) {
  if (!ValidIdChars(id) || !absl::StartsWith(id, context_.owner + "-")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target id \"", id, "\" does not belong to ", context_.owner));
  }
  if (!IsOurs(id)) return absl::OkStatus();
  absl::StatusOr<pid_t> pid = FindProcess(PidFile(id));
  if (absl::Status s = StopProcess(PidFile(id), *context_.clock, kStopGrace);
      !s.ok()) {
    return s;
  }
  if (pid.ok() && *pid != 0) WaitReaped(*pid, *context_.clock);
  unlink(absl::StrCat(TargetDir(id), "/", kKindFile).c_str());
  return absl::OkStatus();
}

absl::Status QemuDriver::Recover() {
  absl::Status result = absl::OkStatus();
  for (const std::string& id : OurIds()) {
    if (absl::Status s = Stop(id); !s.ok() && result.ok()) result = s;
  }
  return result;
}

absl::StatusOr<std::vector<std::string>> QemuDriver::List() {
  std::vector<std::string> ids;
  for (const std::string& id : OurIds()) {
    absl::StatusOr<pid_t> pid = FindProcess(PidFile(id));
    if (!pid.ok()) return pid.status();
    if (*pid != 0) ids.push_back(id);
  }
  return ids;
}

}  // namespace scalebench::worker
