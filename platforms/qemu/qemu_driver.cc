#include "platforms/qemu/qemu_driver.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace scalebench::worker {
namespace {

// The guest port nginx listens on inside both images.
constexpr int kGuestPort = 80;
// A VM's vCPUs; QEMU's pc machine takes more, but no target needs them.
constexpr uint32_t kMaxVcpus = 64;
// How long Start() waits for QEMU to open its forwarded port (or to exit
// because it cannot) before returning anyway; a few ms when all is well.
constexpr absl::Duration kListenWait = absl::Seconds(5);
constexpr absl::Duration kListenPoll = absl::Milliseconds(10);
// Bounds of the /proc files read.
constexpr size_t kMaxProcFile = 4 << 20;
// The tails of QEMU's log and the guest's console quoted in errors.
constexpr size_t kLogTail = 2000;
constexpr size_t kConsoleTail = 500;

bool IsIpv4(const std::string& address) {
  in_addr unused;
  return inet_pton(AF_INET, address.c_str(), &unused) == 1;
}

std::string Absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return path;
  return absl::StrCat(cwd, "/", path);
}

// The listening TCP (IPv4) sockets on `port`, as /proc/PID/fd links name
// them: "socket:[INODE]".
std::vector<std::string> Listeners(os::Env& env, uint16_t port) {
  std::vector<std::string> inodes;
  absl::StatusOr<std::string> tcp = env.ReadFile("/proc/net/tcp", kMaxProcFile);
  if (!tcp.ok()) return inodes;
  bool header = true;
  for (absl::string_view line : absl::StrSplit(*tcp, '\n')) {
    if (std::exchange(header, false)) continue;
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
bool OpenedListener(os::Env& env, pid_t pid, uint16_t port,
                    const std::vector<std::string>& before) {
  std::vector<std::string> inodes = Listeners(env, port);
  inodes.erase(std::remove_if(inodes.begin(), inodes.end(),
                              [&](const std::string& inode) {
                                return std::find(before.begin(), before.end(),
                                                 inode) != before.end();
                              }),
               inodes.end());
  if (inodes.empty()) return false;
  const std::string fd_dir = absl::StrCat("/proc/", pid, "/fd");
  absl::StatusOr<std::vector<std::string>> fds = env.ListDir(fd_dir);
  if (!fds.ok()) return false;
  for (const std::string& fd : *fds) {
    absl::StatusOr<std::string> target =
        env.ReadLink(absl::StrCat(fd_dir, "/", fd));
    if (target.ok() &&
        std::find(inodes.begin(), inodes.end(), *target) != inodes.end()) {
      return true;
    }
  }
  return false;
}

std::string VcpuWord(uint32_t n) {
  return absl::StrCat(n, n == 1 ? " vCPU" : " vCPUs");
}

}  // namespace

QemuDriver::QemuDriver(const WorkerContext& context, QemuOptions options)
    : context_(context),
      env_(*context.env),
      options_([&] {
        options.image_dir = Absolute(options.image_dir);
        return options;
      }()),
      vms_(context) {}

absl::Status QemuDriver::CheckUsable() {
  if (!env_.IsExecutable(options_.qemu_binary)) {
    return absl::FailedPreconditionError(
        absl::StrCat(options_.qemu_binary,
                     " not found: install qemu-system-x86 "
                     "(deploy/install-deps.sh)"));
  }
  for (const char* name :
       {"vmlinuz", "general.cpio.gz", "single-app.cpio.gz"}) {
    const std::string path = absl::StrCat(options_.image_dir, "/", name);
    if (!env_.FileExists(path)) {
      return absl::FailedPreconditionError(
          absl::StrCat("no QEMU image ", path,
                       ": build them with deploy/images/build-qemu-images.sh ",
                       options_.image_dir));
    }
  }
  return absl::OkStatus();
}

std::string QemuDriver::Accelerator() const {
  switch (options_.accel) {
    case QemuAccel::kKvm:
      return "kvm";
    case QemuAccel::kTcg:
      return "tcg";
    case QemuAccel::kAuto:
      break;
  }
  return options_.kvm_usable ? "kvm" : "tcg";
}

KvmProbe QemuDriver::MakeKvmProbe(const WorkerContext& context,
                                  const QemuOptions& options) {
  KvmProbe probe;
  probe.qemu_binary = options.qemu_binary;
  probe.kernel = absl::StrCat(Absolute(options.image_dir), "/vmlinuz");
  probe.id = absl::StrCat(context.owner, "-kvm-probe");
  probe.dir = absl::StrCat(context.runtime(), "/targets/", probe.id);
  probe.pid_file = absl::StrCat(context.runtime(), "/run/", probe.id, ".pid");
  probe.timeout = options.kvm_probe_timeout;
  return probe;
}

absl::StatusOr<LaunchPlan> QemuDriver::Plan(const TargetLaunch& launch) {
  const std::string prefix = context_.owner + "-";
  if (!QemuVms::ValidIdChars(launch.id) ||
      !absl::StartsWith(launch.id, prefix) ||
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

  // From the host facts gathered at worker start: Plan() starts nothing.
  const std::string accel = Accelerator();
  const std::string dir = vms_.Dir(launch.id);
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
      {vms_.KindFile(launch.id), absl::StrCat(QemuVms::kKind, "\n")});
  plan.commands.push_back(std::move(argv));
  return plan;
}

absl::StatusOr<Target> QemuDriver::Start(const TargetLaunch& launch) {
  absl::StatusOr<LaunchPlan> plan = Plan(launch);
  if (!plan.ok()) return plan.status();
  const std::vector<std::string>& argv = plan->commands.front();
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if ((argv[i] == "-kernel" || argv[i] == "-initrd") &&
        !env_.FileExists(argv[i + 1])) {
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
  const std::string pid_file = vms_.PidFile(launch.id);
  absl::StatusOr<pid_t> running = env_.FindProcess(pid_file);
  if (!running.ok()) return running.status();
  if (*running != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "target ", launch.id, " already runs (pid ", *running, ")"));
  }
  const std::string dir = vms_.Dir(launch.id);
  for (const std::string& path :
       {dir, absl::StrCat(context_.runtime(), "/run")}) {
    if (absl::Status s = env_.MakeDirs(path); !s.ok()) return s;
  }
  // The kind file is what Recover() and Stop() go by: a write that fails
  // is an error, not a VM nobody could remove.
  for (const LaunchPlan::File& file : plan->files) {
    if (absl::Status s = env_.WriteFileAtomically(file.path, file.contents);
        !s.ok()) {
      (void)env_.RemoveFile(vms_.KindFile(launch.id));
      return s;
    }
  }
  const std::string console = absl::StrCat(dir, "/console.log");
  const std::string qemu_log = absl::StrCat(dir, "/qemu.log");
  (void)env_.RemoveFile(console);
  (void)env_.RemoveFile(qemu_log);

  os::ProcessLaunch process;
  process.argv = argv;
  process.cpus = launch.cpus;
  process.log_path = qemu_log;
  process.pid_file = pid_file;
  const std::vector<std::string> listeners_before =
      Listeners(env_, launch.port);
  absl::StatusOr<pid_t> pid = env_.StartProcess(process);
  if (!pid.ok()) {
    (void)env_.RemoveFile(vms_.KindFile(launch.id));
    return absl::InternalError(
        absl::StrCat("QEMU of ", launch.id, " failed: ", pid.status().message(),
                     " ", env_.ReadFileTail(console, kConsoleTail)));
  }
  // QEMU sets up hostfwd after parsing everything else: a port in use
  // makes it exit then, later than StartProcess's check may look.
  Clock& clock = *context_.clock;
  const absl::Duration deadline = clock.Monotonic() + kListenWait;
  while (!OpenedListener(env_, *pid, launch.port, listeners_before) &&
         clock.Monotonic() < deadline) {
    absl::StatusOr<pid_t> alive = env_.FindProcess(pid_file);
    if (alive.ok() && *alive == 0) {
      (void)env_.RemoveFile(pid_file);
      (void)env_.RemoveFile(vms_.KindFile(launch.id));
      return absl::InternalError(
          absl::StrCat("QEMU of ", launch.id,
                       " exited: ", env_.ReadFileTail(qemu_log, kLogTail), " ",
                       env_.ReadFileTail(console, kConsoleTail)));
    }
    clock.SleepUntil(clock.Monotonic() + kListenPoll);
  }
  return Target{launch.id,
                absl::StrCat(launch.listen_address, ":", launch.port)};
}

}  // namespace scalebench::worker
