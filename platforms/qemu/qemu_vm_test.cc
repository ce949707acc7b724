// Real QEMU guests under TCG (ctest label `vm`), from the images the
// `qemu_images` fixture builds into SCALEBENCH_QEMU_IMAGE_DIR: each image
// boots and serves the page size asked through the forwarded port, takes
// load, and leaves no process behind; Recover() removes exactly this
// owner's VMs.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "loadgen/report.h"
#include "loadgen/runner.h"
#include "os/env.h"
#include "platforms/qemu/qemu_driver.h"
#include "worker/http_probe.h"

namespace scalebench::worker {
namespace {

// Under TCG a guest answers in 7 to 30 s depending on the host's load.
constexpr absl::Duration kBootTimeout = absl::Seconds(150);

// A port on 127.0.0.1 that nothing listens on now.
uint16_t FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// The body of GET http://127.0.0.1:PORT/ (HTTP/1.0, read to the close);
// "" on any failure.
std::string GetBody(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string request = "GET / HTTP/1.0\r\nHost: t\r\n\r\n";
    if (write(fd, request.data(), request.size()) ==
        static_cast<ssize_t>(request.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = read(fd, buf, sizeof(buf))) > 0) response.append(buf, n);
    }
  }
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

// Pids of running processes whose command line has "-name ID".
std::vector<pid_t> QemuProcessesNamed(const std::string& id) {
  std::vector<pid_t> pids;
  DIR* proc = opendir("/proc");
  while (dirent* entry = proc ? readdir(proc) : nullptr) {
    const pid_t pid = atoi(entry->d_name);
    if (pid <= 0) continue;
    std::ifstream in(absl::StrCat("/proc/", pid, "/cmdline"));
    std::ostringstream text;
    text << in.rdbuf();
    const std::vector<std::string> argv = absl::StrSplit(text.str(), '\0');
    for (size_t i = 0; i + 1 < argv.size(); ++i) {
      if (argv[i] == "-name" && argv[i + 1] == id) pids.push_back(pid);
    }
  }
  if (proc) closedir(proc);
  return pids;
}

class QemuVmTest : public ::testing::Test {
 protected:
  QemuVmTest() {
    std::string dir = ::testing::TempDir() + "/qemu_vm_test.XXXXXX";
    state_dir_ = mkdtemp(dir.data());
    options_.image_dir = SCALEBENCH_QEMU_IMAGE_DIR;
    options_.accel = QemuAccel::kTcg;
  }

  ~QemuVmTest() override { std::filesystem::remove_all(state_dir_); }

  // Every test cleans up what it started, even when it fails.
  void TearDown() override {
    for (const WorkerContext& context : contexts_) {
      QemuDriver driver(context, options_);
      EXPECT_TRUE(driver.Recover().ok());
    }
  }

  WorkerContext& Context(const std::string& name) {
    WorkerContext context;
    context.name = name;
    // Unique on the host: ctest runs tests of this binary side by side, and
    // QemuProcessesNamed looks at every process.
    context.owner = absl::StrCat("scalebench-qvt", getpid(), "-", name);
    context.clock = Clock::Real();
    context.state_dir = state_dir_;
    contexts_.push_back(context);
    return contexts_.back();
  }

  TargetLaunch Launch(const WorkerContext& context, const std::string& variant,
                      uint32_t page_bytes) {
    TargetLaunch launch;
    launch.id = context.owner + "-t0";
    launch.cpus = {0};
    launch.vcpus = 1;
    launch.memory_mb = 256;
    launch.port = FreePort();
    launch.page_bytes = page_bytes;
    launch.variant = variant;
    return launch;
  }

  std::string state_dir_;
  QemuOptions options_;
  std::deque<WorkerContext> contexts_;
};

class QemuBootTest : public QemuVmTest,
                     public ::testing::WithParamInterface<const char*> {};

TEST_P(QemuBootTest, BootsServesTheAskedPageTakesLoadAndStopsClean) {
  const WorkerContext& context = Context(GetParam());
  QemuDriver driver(context, options_);
  ASSERT_TRUE(driver.CheckUsable().ok()) << driver.CheckUsable();
  const TargetLaunch launch = Launch(context, GetParam(), 1234);
  const absl::Time started = absl::Now();
  absl::StatusOr<Target> target = driver.Start(launch);
  ASSERT_TRUE(target.ok()) << target.status();
  const std::string console =
      absl::StrCat(state_dir_, "/targets/", launch.id, "/console.log");
  absl::Status ready = WaitForHttp(target->endpoint, kBootTimeout,
                                   *Clock::Real(), absl::Milliseconds(200));
  ASSERT_TRUE(ready.ok()) << ready << "\nconsole:\n"
                          << os::Env::Default()->ReadFileTail(console, 2000);
  std::cout << GetParam() << ": first 2xx after "
            << absl::FormatDuration(absl::Now() - started) << "\n";
  EXPECT_EQ(GetBody(launch.port), std::string(1234, 'x'));
  absl::StatusOr<std::vector<std::string>> ids = driver.List();
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<std::string>{launch.id});

  loadgen::LoadOptions load;
  load.urls = {absl::StrCat("http://", target->endpoint, "/")};
  load.connections = 4;
  load.threads = 1;
  load.duration = absl::Seconds(2);
  absl::StatusOr<v1::LoadgenResult> result = loadgen::RunLoad(load);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_GT(result->requests(), 0u);
  EXPECT_EQ(loadgen::TotalErrors(result->errors()), 0u)
      << result->errors().DebugString();
  EXPECT_EQ(result->status_classes().status_2xx(), result->requests());

  const std::vector<pid_t> qemu = QemuProcessesNamed(launch.id);
  ASSERT_EQ(qemu.size(), 1u);
  ASSERT_TRUE(driver.Stop(launch.id).ok());
  EXPECT_TRUE(QemuProcessesNamed(launch.id).empty());
  // Not even a zombie: reaped, all its threads gone.
  EXPECT_NE(access(absl::StrCat("/proc/", qemu[0]).c_str(), F_OK), 0);
  ids = driver.List();
  ASSERT_TRUE(ids.ok());
  EXPECT_TRUE(ids->empty());
  EXPECT_TRUE(driver.Stop(launch.id).ok());  // Idempotent.
}

INSTANTIATE_TEST_SUITE_P(Images, QemuBootTest,
                         ::testing::Values(kQemuVariantGeneral,
                                           kQemuVariantSingleApp),
                         [](const auto& info) {
                           return std::string(info.param) == "general"
                                      ? "General"
                                      : "SingleApp";
                         });

TEST_F(QemuVmTest, RecoverStopsOurPreviousLifesVmsAndNoOneElses) {
  const WorkerContext& ours = Context("a");
  const WorkerContext& theirs = Context("b");
  TargetLaunch our_launch = Launch(ours, "general", 612);
  TargetLaunch their_launch = Launch(theirs, "single-app", 612);
  {
    QemuDriver previous_life(ours, options_);
    ASSERT_TRUE(previous_life.Start(our_launch).ok());
  }
  QemuDriver other(theirs, options_);
  ASSERT_TRUE(other.Start(their_launch).ok());
  ASSERT_EQ(QemuProcessesNamed(our_launch.id).size(), 1u);

  QemuDriver restarted(ours, options_);
  absl::StatusOr<std::vector<std::string>> ids = restarted.List();
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<std::string>{our_launch.id});
  ASSERT_TRUE(restarted.Recover().ok());
  EXPECT_TRUE(QemuProcessesNamed(our_launch.id).empty());
  EXPECT_EQ(QemuProcessesNamed(their_launch.id).size(), 1u);
  ids = other.List();
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<std::string>{their_launch.id});
  ASSERT_TRUE(other.Stop(their_launch.id).ok());
  EXPECT_TRUE(QemuProcessesNamed(their_launch.id).empty());
}

TEST_F(QemuVmTest, StartOnAPortInUseFailsWithQemusReason) {
  const WorkerContext& context = Context("p");
  TargetLaunch launch = Launch(context, "general", 612);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(launch.port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  QemuDriver driver(context, options_);
  absl::StatusOr<Target> target = driver.Start(launch);
  close(fd);
  EXPECT_EQ(target.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(target.status().message()),
              ::testing::HasSubstr("host forwarding"));
  EXPECT_TRUE(QemuProcessesNamed(launch.id).empty());
  absl::StatusOr<std::vector<std::string>> ids = driver.List();
  ASSERT_TRUE(ids.ok());
  EXPECT_TRUE(ids->empty());
}

TEST_F(QemuVmTest, RecoverLeavesOtherDriversProcessesUnderOurPrefix) {
  // A native nginx's pid file looks like a VM's: same dir, same prefix,
  // and a VM with the same id ran before and left its kind file.
  const WorkerContext& ours = Context("n");
  const std::string dir =
      absl::StrCat(state_dir_, "/targets/", ours.owner, "-t0");
  ASSERT_EQ(system(("mkdir -p " + dir).c_str()), 0);
  std::ofstream(dir + "/kind") << "qemu\n";
  ASSERT_EQ(system(absl::StrCat("mkdir -p ", state_dir_, "/run").c_str()), 0);
  os::Env& env = *os::Env::Default();
  os::ProcessLaunch native;
  native.argv = {"sleep", "60"};
  native.pid_file = absl::StrCat(state_dir_, "/run/", ours.owner, "-t0.pid");
  absl::StatusOr<pid_t> pid = env.StartProcess(native);
  ASSERT_TRUE(pid.ok()) << pid.status();
  QemuDriver driver(ours, options_);
  EXPECT_TRUE(driver.Recover().ok());
  absl::StatusOr<pid_t> still = env.FindProcess(native.pid_file);
  EXPECT_TRUE(still.ok() && *still == *pid);
  EXPECT_TRUE(env.StopProcess(native.pid_file, absl::Seconds(5)).ok());
}

TEST_F(QemuVmTest, TheKvmProbeAnswersInTimeAndLeavesNothing) {
  options_.accel = QemuAccel::kAuto;
  options_.kvm_probe_timeout = absl::Seconds(10);
  const WorkerContext& context = Context("k");
  const absl::Time started = absl::Now();
  const std::string accel =
      ProbeKvm(QemuDriver::MakeKvmProbe(context, options_), *context.env,
               *context.clock)
          ? "kvm"
          : "tcg";
  EXPECT_LT(absl::Now() - started, absl::Seconds(20));
  EXPECT_TRUE(accel == "kvm" || accel == "tcg") << accel;
  std::cout << "accelerator: " << accel << "\n";
  EXPECT_TRUE(QemuProcessesNamed(context.owner + "-kvm-probe").empty());
  EXPECT_EQ(
      access(absl::StrCat(state_dir_, "/run/", context.owner, "-kvm-probe.pid")
                 .c_str(),
             F_OK),
      -1);
}

}  // namespace
}  // namespace scalebench::worker
