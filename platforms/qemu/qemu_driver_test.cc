// The QEMU driver's plans and argument checks; no VM runs here (the `vm`
// tests in qemu_vm_test.cc boot real guests).
#include "platforms/qemu/qemu_driver.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "os/recording_env.h"
#include "worker/testing/test_context.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class QemuDriverTest : public ::testing::Test {
 protected:
  QemuDriverTest() {
    std::string dir = ::testing::TempDir() + "/qemu_driver_test.XXXXXX";
    state_dir_ = mkdtemp(dir.data());
    context_ = testing::TestContext(state_dir_);
    options_.image_dir = "/images";
    options_.accel = QemuAccel::kTcg;
  }

  ~QemuDriverTest() override { std::filesystem::remove_all(state_dir_); }

  TargetLaunch Launch() {
    TargetLaunch launch = testing::TestTargetLaunch(0);
    launch.vcpus = 2;
    launch.page_bytes = 1024;
    return launch;
  }

  // The value after `flag` in the plan's command, "" if absent.
  static std::string Arg(const LaunchPlan& plan, const std::string& flag) {
    const std::vector<std::string>& argv = plan.commands.at(0);
    for (size_t i = 0; i + 1 < argv.size(); ++i) {
      if (argv[i] == flag) return argv[i + 1];
    }
    return "";
  }

  // The KVM probe the worker runs at start, for these options.
  bool Probe() {
    return ProbeKvm(QemuDriver::MakeKvmProbe(context_, options_), *context_.env,
                    *context_.clock);
  }

  std::string state_dir_;
  WorkerContext context_;
  QemuOptions options_;
};

TEST_F(QemuDriverTest, PlansTheWholeCommandLine) {
  QemuDriver driver(context_, options_);
  absl::StatusOr<LaunchPlan> plan = driver.Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  const std::string dir = state_dir_ + "/targets/scalebench-w1-t0";
  ASSERT_EQ(plan->commands.size(), 1u);
  EXPECT_THAT(
      plan->commands[0],
      ElementsAre("qemu-system-x86_64", "-name", "scalebench-w1-t0", "-machine",
                  "pc,accel=tcg", "-smp", "2", "-m", "256", "-nodefaults",
                  "-no-user-config", "-display", "none", "-monitor", "none",
                  "-no-reboot", "-serial", "file:" + dir + "/console.log",
                  "-kernel", "/images/vmlinuz", "-initrd",
                  "/images/general.cpio.gz", "-append",
                  "console=ttyS0 panic=-1 quiet scalebench.workers=2 "
                  "scalebench.page=1024",
                  "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:20001-:80",
                  "-device", "virtio-net-pci,netdev=n0"));
  ASSERT_EQ(plan->files.size(), 2u);
  EXPECT_EQ(plan->files[0].path, dir + "/qemu.args");
  EXPECT_THAT(plan->files[0].contents, HasSubstr("-name\nscalebench-w1-t0\n"));
  EXPECT_EQ(plan->files[1].path, dir + "/kind");
  EXPECT_EQ(plan->files[1].contents, "qemu\n");
  EXPECT_EQ(plan->summary,
            "target 0: qemu general (tcg) with 2 vCPUs, 256 MiB on cores 1, "
            "127.0.0.1:20001");
}

TEST_F(QemuDriverTest, SingleAppVariantAndWorkerProcesses) {
  QemuDriver driver(context_, options_);
  TargetLaunch launch = Launch();
  launch.variant = "single-app";
  launch.worker_processes = 3;
  absl::StatusOr<LaunchPlan> plan = driver.Plan(launch);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Arg(*plan, "-initrd"), "/images/single-app.cpio.gz");
  EXPECT_THAT(Arg(*plan, "-append"), HasSubstr("scalebench.workers=3 "));
}

TEST_F(QemuDriverTest, AnImageIsAKernelOrAKernelAndInitramfs) {
  QemuDriver driver(context_, options_);
  TargetLaunch launch = Launch();
  launch.image = "/u/unikraft_nginx";
  absl::StatusOr<LaunchPlan> plan = driver.Plan(launch);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Arg(*plan, "-kernel"), "/u/unikraft_nginx");
  EXPECT_EQ(Arg(*plan, "-initrd"), "");

  launch.image = "/k/bzImage,/k/initrd.gz";
  plan = driver.Plan(launch);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Arg(*plan, "-kernel"), "/k/bzImage");
  EXPECT_EQ(Arg(*plan, "-initrd"), "/k/initrd.gz");

  launch.image = "/k/bzImage,/k/initrd.gz,/k/more";
  EXPECT_EQ(driver.Plan(launch).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(QemuDriverTest, KvmGetsTheHostCpu) {
  options_.accel = QemuAccel::kKvm;
  QemuDriver driver(context_, options_);
  absl::StatusOr<LaunchPlan> plan = driver.Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Arg(*plan, "-machine"), "pc,accel=kvm");
  EXPECT_EQ(Arg(*plan, "-cpu"), "host");
}

TEST_F(QemuDriverTest, RejectsWhatCannotRun) {
  QemuDriver driver(context_, options_);
  auto code = [&](void (*change)(TargetLaunch&)) {
    TargetLaunch launch = Launch();
    change(launch);
    return driver.Plan(launch).status().code();
  };
  constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(code([](TargetLaunch& l) { l.id = "scalebench-w2-t0"; }), kInvalid);
  EXPECT_EQ(code([](TargetLaunch& l) { l.id = "scalebench-w1-"; }), kInvalid);
  EXPECT_EQ(code([](TargetLaunch& l) { l.id = "scalebench-w1-../x"; }),
            kInvalid);
  EXPECT_EQ(code([](TargetLaunch& l) { l.variant = "fat"; }), kInvalid);
  EXPECT_EQ(code([](TargetLaunch& l) { l.listen_address = "0.0.0.0,x=1"; }),
            kInvalid);
  EXPECT_EQ(code([](TargetLaunch& l) { l.port = 0; }), kInvalid);
  EXPECT_EQ(code([](TargetLaunch& l) { l.vcpus = 0; }), kInvalid);
  EXPECT_EQ(code([](TargetLaunch& l) { l.memory_mb = kQemuMinMemoryMb - 1; }),
            kInvalid);
  EXPECT_EQ(code([](TargetLaunch& l) { l.memory_mb = kQemuMinMemoryMb; }),
            absl::StatusCode::kOk);
}

// Each case: the QEMU binary, and what the refusal names.
TEST_F(QemuDriverTest, CheckUsableSaysWhatIsMissingAndHowToGetIt) {
  const struct {
    const char* qemu_binary;
    const char* says;
  } kCases[] = {
      // A QEMU that runs, without the images: how to build them.
      {"/bin/true", "build-qemu-images.sh /images"},
      // No QEMU: the package to install.
      {"/nonexistent/qemu-system-x86_64", "qemu-system-x86"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.qemu_binary);
    options_.qemu_binary = c.qemu_binary;
    absl::Status status = QemuDriver(context_, options_).CheckUsable();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(status.message(), HasSubstr(c.says));
  }
}

TEST_F(QemuDriverTest, StartWithoutImagesFailsBeforeRunningAnything) {
  QemuDriver driver(context_, options_);
  absl::StatusOr<Target> target = driver.Start(Launch());
  EXPECT_EQ(target.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(target.status().message(), HasSubstr("/images/vmlinuz"));
  EXPECT_NE(access((state_dir_ + "/run/scalebench-w1-t0.pid").c_str(), F_OK),
            0);
}

TEST_F(QemuDriverTest, AutoWithoutAUsableQemuFallsBackToTcg) {
  options_.accel = QemuAccel::kAuto;
  options_.qemu_binary = "/nonexistent/qemu-system-x86_64";
  EXPECT_FALSE(Probe());
  QemuDriver driver(context_, options_);
  EXPECT_EQ(driver.Accelerator(), "tcg");
}

// Plan() starts nothing, in kAuto mode too: the accelerator is what the
// host facts found at worker start (`run-trial --dry-run` boots no guest).
TEST_F(QemuDriverTest, PlanInAutoModeReadsTheHostFactsAndRunsNothing) {
  os::RecordingEnv env;
  context_.env = &env;
  options_.accel = QemuAccel::kAuto;
  options_.kvm_usable = true;
  QemuDriver kvm(context_, options_);
  absl::StatusOr<LaunchPlan> plan = kvm.Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Arg(*plan, "-machine"), "pc,accel=kvm");
  options_.kvm_usable = false;
  QemuDriver tcg(context_, options_);
  plan = tcg.Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Arg(*plan, "-machine"), "pc,accel=tcg");
  EXPECT_THAT(env.calls(), ::testing::IsEmpty());
}

// The KVM probe against stand-ins for QEMU: one whose guest boots to the
// end (writes the panic line to its serial file and exits), one whose guest
// hangs. Needs an accessible /dev/kvm, or the probe never runs.
class QemuKvmProbeTest : public QemuDriverTest {
 protected:
  void SetUp() override {
    if (access("/dev/kvm", R_OK | W_OK) != 0) {
      GTEST_SKIP() << "no accessible /dev/kvm";
    }
    options_.image_dir = state_dir_;
    std::ofstream(state_dir_ + "/vmlinuz") << "kernel";
    options_.accel = QemuAccel::kAuto;
    options_.kvm_probe_timeout = absl::Seconds(1);
  }
  // A QEMU stand-in running `body` (sh) with $console set to the -serial
  // file.
  std::string FakeQemu(const std::string& name, const std::string& body) {
    const std::string path = state_dir_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n"
                        << "while [ $# -gt 0 ]; do\n"
                        << "  [ \"$1\" = -serial ] && console=${2#file:}\n"
                        << "  shift\n"
                        << "done\n"
                        << body << "\n";
    chmod(path.c_str(), 0755);
    return path;
  }
  // The probe's pid file or its files (console, args, log) remain.
  bool Leftovers() {
    return access((state_dir_ + "/run/scalebench-w1-kvm-probe.pid").c_str(),
                  F_OK) == 0 ||
           access((state_dir_ + "/targets/scalebench-w1-kvm-probe").c_str(),
                  F_OK) == 0;
  }
};

TEST_F(QemuKvmProbeTest, AGuestThatBootsToTheEndMeansKvm) {
  options_.qemu_binary =
      FakeQemu("booting-qemu",
               "sleep 0.2; echo 'Kernel panic - not syncing' > "
               "\"$console\"; exit 0");
  options_.kvm_usable = Probe();
  EXPECT_TRUE(options_.kvm_usable);
  EXPECT_FALSE(Leftovers());
  QemuDriver driver(context_, options_);
  absl::StatusOr<LaunchPlan> plan = driver.Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Arg(*plan, "-machine"), "pc,accel=kvm");
}

TEST_F(QemuKvmProbeTest, AGuestThatHangsMeansTcgAndIsKilled) {
  options_.qemu_binary = FakeQemu("hanging-qemu", "exec sleep 60");
  const absl::Time started = absl::Now();
  EXPECT_FALSE(Probe());
  EXPECT_LT(absl::Now() - started, absl::Seconds(5));
  EXPECT_FALSE(Leftovers());
}

TEST_F(QemuKvmProbeTest, AQemuThatExitsWithoutBootingMeansTcg) {
  // As QEMU does here with -cpu host: "failed to set MSR", abort.
  options_.qemu_binary = FakeQemu("aborting-qemu", "exit 134");
  EXPECT_FALSE(Probe());
}

TEST_F(QemuDriverTest, StopIsIdempotentAndOnlyForOurIds) {
  QemuDriver driver(context_, options_);
  EXPECT_TRUE(driver.Stop("scalebench-w1-t7").ok());
  EXPECT_EQ(driver.Stop("scalebench-w2-t0").code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::vector<std::string>> ids = driver.List();
  ASSERT_TRUE(ids.ok());
  EXPECT_TRUE(ids->empty());
  EXPECT_TRUE(driver.Recover().ok());
}

}  // namespace
}  // namespace scalebench::worker
