// The QEMU driver's Start, Stop, Recover and Terminated on the recording
// Env: which files it writes, which processes it starts and stops, and
// what it leaves when something fails. No VM runs and nothing sleeps.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "os/recording_env.h"
#include "platforms/qemu/qemu_driver.h"
#include "worker/testing/test_context.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class QemuDriverEnvTest : public ::testing::Test {
 protected:
  QemuDriverEnvTest() {
    options_.image_dir = "/images";
    options_.accel = QemuAccel::kTcg;
    env_.AddFile("/images/vmlinuz", "kernel");
    env_.AddFile("/images/general.cpio.gz", "initramfs");
  }

  // A running VM of ours as /proc shows it.
  void ShowAsQemu(const std::string& id) {
    const pid_t pid = env_.PidOf(absl::StrCat("/s/run/", id, ".pid"));
    env_.AddFile(absl::StrCat("/proc/", pid, "/cmdline"),
                 std::string("qemu-system-x86_64\0-name\0", 25) + id +
                     std::string("\0", 1));
  }

  os::RecordingEnv env_;
  WorkerContext context_ = testing::TestContext(env_);
  QemuOptions options_;
  // Target 0's dir and pid file.
  const std::string dir_ = testing::TestTargetDir(0);
  const std::string pid_file_ = testing::TestPidFile(0);
};

TEST_F(QemuDriverEnvTest, StartWritesTheArgsAndKindThenStartsQemu) {
  QemuDriver driver(context_, options_);
  absl::StatusOr<Target> target = driver.Start(testing::TestTargetLaunch());
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->endpoint, "127.0.0.1:20001");
  const std::vector<std::string> calls = env_.calls();
  ASSERT_EQ(calls.size(), 7u);
  EXPECT_THAT(std::vector<std::string>(calls.begin(), calls.begin() + 6),
              ElementsAre(absl::StrCat("mkdirs ", dir_), "mkdirs /s/run",
                          absl::StrCat("write ", dir_, "/qemu.args"),
                          absl::StrCat("write ", dir_, "/kind"),
                          absl::StrCat("remove ", dir_, "/console.log"),
                          absl::StrCat("remove ", dir_, "/qemu.log")));
  EXPECT_THAT(calls[6], HasSubstr("start qemu-system-x86_64 -name "
                                  "scalebench-w1-t0 -machine pc,accel=tcg"));
  EXPECT_EQ(*env_.File(absl::StrCat(dir_, "/kind")), "qemu\n");
  ShowAsQemu("scalebench-w1-t0");
  EXPECT_THAT(*driver.List(), ElementsAre("scalebench-w1-t0"));
}

// Recover() and Stop() go by the kind file: a VM started without one
// could never be removed, so a failed write fails the start.
TEST_F(QemuDriverEnvTest, AKindFileThatCannotBeWrittenFailsTheStart) {
  env_.FailWrite(absl::StrCat(dir_, "/kind"),
                 absl::InternalError("cannot write kind: No space left"));
  QemuDriver driver(context_, options_);
  absl::StatusOr<Target> target = driver.Start(testing::TestTargetLaunch());
  EXPECT_EQ(target.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(target.status().message(), HasSubstr("No space left"));
  EXPECT_THAT(env_.CallsStartingWith("start "), IsEmpty());
}

TEST_F(QemuDriverEnvTest, AQemuThatFailsToStartLeavesNoKindFile) {
  env_.FailStart(
      "qemu-system-x86_64",
      absl::InternalError("qemu-system-x86_64 exited with status 1"));
  QemuDriver driver(context_, options_);
  absl::StatusOr<Target> target = driver.Start(testing::TestTargetLaunch());
  EXPECT_EQ(target.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(target.status().message(),
              HasSubstr("QEMU of scalebench-w1-t0 failed"));
  EXPECT_FALSE(env_.File(absl::StrCat(dir_, "/kind")).has_value());
}

TEST_F(QemuDriverEnvTest, StopStopsQemuAndRemovesTheKindFile) {
  QemuDriver driver(context_, options_);
  ASSERT_TRUE(driver.Start(testing::TestTargetLaunch()).ok());
  ShowAsQemu("scalebench-w1-t0");
  env_.ClearCalls();
  ASSERT_TRUE(driver.Stop("scalebench-w1-t0").ok());
  EXPECT_THAT(env_.calls(),
              ElementsAre(absl::StrCat("stop ", pid_file_),
                          absl::StrCat("remove ", dir_, "/kind")));
  absl::StatusOr<std::optional<Termination>> ended =
      driver.Terminated("scalebench-w1-t0");
  ASSERT_TRUE(ended.ok() && ended->has_value());
  EXPECT_EQ((*ended)->reason, Termination::Reason::kStopped);
}

// A native nginx that reused a VM's id is not a VM: its pid file and the
// old kind file look alike, its command line does not.
TEST_F(QemuDriverEnvTest, RecoverStopsOurVmsAndNothingElse) {
  QemuDriver driver(context_, options_);
  ASSERT_TRUE(driver.Start(testing::TestTargetLaunch()).ok());
  ShowAsQemu("scalebench-w1-t0");
  env_.AddFile("/s/run/scalebench-w1-t1.pid", "4242 1\n");
  env_.AddFile("/s/targets/scalebench-w1-t1/kind", "native\n");
  env_.ClearCalls();
  ASSERT_TRUE(driver.Recover().ok());
  EXPECT_THAT(env_.CallsStartingWith("stop "),
              ElementsAre(absl::StrCat("stop ", pid_file_)));
}

TEST_F(QemuDriverEnvTest, AVmThatDiesSaysHow) {
  QemuDriver driver(context_, options_);
  ASSERT_TRUE(driver.Start(testing::TestTargetLaunch()).ok());
  EXPECT_FALSE(driver.Terminated("scalebench-w1-t0")->has_value());
  env_.EndProcess(pid_file_, {os::ProcessStatus::State::kSignaled, 0, 0, 6});
  absl::StatusOr<std::optional<Termination>> ended =
      driver.Terminated("scalebench-w1-t0");
  ASSERT_TRUE(ended.ok() && ended->has_value());
  EXPECT_EQ((*ended)->ToString(), "was killed by signal 6");
  EXPECT_EQ(driver.Terminated("scalebench-w2-t0").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace scalebench::worker
