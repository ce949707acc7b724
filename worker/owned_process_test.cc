// OwnedProcesses on the recording Env: what a start, a failed start, a
// stop and a recovery do to the file system and which processes they
// start and stop, without running anything.
#include "worker/owned_process.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "os/recording_env.h"
#include "worker/testing/test_context.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

OwnedProcessKind Kind(const std::string& kind) {
  OwnedProcessKind result;
  result.area = "targets";
  result.kind = kind;
  result.id_infix = "-t";
  return result;
}

class OwnedProcessesTest : public ::testing::Test {
 protected:
  OwnedProcesses::PlannedStart Planned(const std::string& id) {
    OwnedProcesses::PlannedStart start;
    start.id = id;
    start.what = "target " + id;
    start.listen = *MakeHostPort("127.0.0.1", 1, "listen");
    start.subdirs = {"html"};
    start.files = {{"/s/targets/" + id + "/a.conf", "conf"}};
    start.argv = {"nginx", "-p", "/s/targets/" + id};
    start.cpus = {0};
    start.log_path = "/s/targets/" + id + "/error.log";
    return start;
  }

  os::RecordingEnv env_;
  WorkerContext context_ = testing::TestContext(env_);
};

TEST_F(OwnedProcessesTest, StartMakesThePrefixWritesTheFilesThenStarts) {
  OwnedProcesses processes(context_, Kind("native"));
  ASSERT_TRUE(processes.StartPlanned(Planned("scalebench-w1-t0")).ok());
  EXPECT_THAT(
      env_.calls(),
      ElementsAre("rmtree /s/targets/scalebench-w1-t0", "mkdirs /s",
                  "mkdirs /s/targets", "mkdirs /s/targets/scalebench-w1-t0",
                  "mkdirs /s/run", "write /s/targets/scalebench-w1-t0/kind",
                  "mkdirs /s/targets/scalebench-w1-t0/html",
                  "write /s/targets/scalebench-w1-t0/a.conf",
                  "start nginx -p /s/targets/scalebench-w1-t0"));
  EXPECT_EQ(*env_.File("/s/targets/scalebench-w1-t0/kind"), "native\n");
  EXPECT_EQ(env_.ModeOf("/s/targets/scalebench-w1-t0/a.conf"), 0644u);
  EXPECT_EQ(env_.ModeOf("/s/targets/scalebench-w1-t0"), 0755u);
  EXPECT_THAT(*processes.List(), ElementsAre("scalebench-w1-t0"));
  EXPECT_FALSE(processes.StatusOf("scalebench-w1-t0").has_value());
}

TEST_F(OwnedProcessesTest, AFailedStartRemovesThePrefixAndNamesTheTarget) {
  OwnedProcesses processes(context_, Kind("native"));
  env_.FailStart("nginx", absl::InternalError("nginx exited with status 1"));
  absl::StatusOr<pid_t> pid =
      processes.StartPlanned(Planned("scalebench-w1-t0"));
  EXPECT_EQ(pid.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(pid.status().message(),
              HasSubstr("target scalebench-w1-t0: nginx exited with status 1"));
  EXPECT_FALSE(env_.HasDir("/s/targets/scalebench-w1-t0"));
}

TEST_F(OwnedProcessesTest, ASecondStartOfARunningIdIsRefused) {
  OwnedProcesses processes(context_, Kind("native"));
  ASSERT_TRUE(processes.StartPlanned(Planned("scalebench-w1-t0")).ok());
  EXPECT_EQ(processes.StartPlanned(Planned("scalebench-w1-t0")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(OwnedProcessesTest, StopStopsTheProcessAndRemovesThePrefix) {
  OwnedProcesses processes(context_, Kind("native"));
  ASSERT_TRUE(processes.StartPlanned(Planned("scalebench-w1-t0")).ok());
  env_.ClearCalls();
  ASSERT_TRUE(processes.Stop("scalebench-w1-t0").ok());
  EXPECT_THAT(env_.calls(), ElementsAre("stop /s/run/scalebench-w1-t0.pid",
                                        "rmtree /s/targets/scalebench-w1-t0"));
  EXPECT_TRUE(processes.StatusOf("scalebench-w1-t0").has_value());
  EXPECT_TRUE(processes.Stop("scalebench-w1-t0").ok());  // Idempotent.
}

TEST_F(OwnedProcessesTest, AProcessThatEndsByItselfSaysHow) {
  OwnedProcesses processes(context_, Kind("native"));
  ASSERT_TRUE(processes.StartPlanned(Planned("scalebench-w1-t0")).ok());
  env_.EndProcess("/s/run/scalebench-w1-t0.pid",
                  {os::ProcessStatus::State::kExited, 0, 1, 0});
  std::optional<os::ProcessStatus> status =
      processes.StatusOf("scalebench-w1-t0");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->state, os::ProcessStatus::State::kExited);
  EXPECT_EQ(status->exit_code, 1);
}

// A qemu target's pid file has the same shape: the kind file tells them
// apart, and other owners' processes are not touched.
TEST_F(OwnedProcessesTest, RecoverStopsOnlyItsOwnKindAndOwner) {
  OwnedProcesses native(context_, Kind("native"));
  ASSERT_TRUE(native.StartPlanned(Planned("scalebench-w1-t0")).ok());
  env_.AddFile("/s/run/scalebench-w1-t1.pid", "77 1\n");
  env_.AddFile("/s/targets/scalebench-w1-t1/kind", "qemu\n");
  env_.AddFile("/s/run/scalebench-w2-t0.pid", "78 1\n");
  env_.AddFile("/s/targets/scalebench-w2-t0/kind", "native\n");
  env_.AddFile("/s/targets/scalebench-w1-t5/kind", "native\n");  // Stale.
  env_.ClearCalls();
  ASSERT_TRUE(native.Recover().ok());
  EXPECT_THAT(env_.calls(), ElementsAre("stop /s/run/scalebench-w1-t0.pid",
                                        "rmtree /s/targets/scalebench-w1-t0",
                                        "stop /s/run/scalebench-w1-t5.pid",
                                        "rmtree /s/targets/scalebench-w1-t5"));
  EXPECT_TRUE(env_.File("/s/targets/scalebench-w1-t1/kind").has_value());
  EXPECT_TRUE(env_.File("/s/run/scalebench-w2-t0.pid").has_value());
}

}  // namespace
}  // namespace scalebench::worker
