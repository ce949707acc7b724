// The recording fake keeps its promises: what it records, what it
// answers, and that its clock never makes a caller wait.
#include "os/recording_env.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::os {
namespace {

using ::testing::ElementsAre;

TEST(RecordingEnvTest, RecordsChangesInOrderAndKeepsFilesInMemory) {
  RecordingEnv env;
  ASSERT_TRUE(env.MakeDirs("/s/a", 0700).ok());
  ASSERT_TRUE(env.WriteFileAtomically("/s/a/f", "x", 0600).ok());
  ASSERT_TRUE(env.RemoveFile("/s/a/f").ok());
  EXPECT_THAT(env.calls(),
              ElementsAre("mkdirs /s/a", "write /s/a/f", "remove /s/a/f"));
  EXPECT_TRUE(env.HasDir("/s"));
  EXPECT_EQ(env.ModeOf("/s/a"), 0700u);
  EXPECT_FALSE(env.File("/s/a/f").has_value());
}

TEST(RecordingEnvTest, AWriteNeedsItsDirectory) {
  RecordingEnv env;
  EXPECT_FALSE(env.WriteFileAtomically("/no/f", "x", 0644).ok());
}

TEST(RecordingEnvTest, RunsAnswerFromTheHandlerOrAsIfNotInstalled) {
  RecordingEnv env;
  env.OnRun("xl", [](const std::vector<std::string>& argv) {
    ProgramOutput output;
    output.exit_code = 0;
    output.out = argv[1];
    return output;
  });
  EXPECT_EQ(env.Run({"xl", "list"}, {})->out, "list");
  EXPECT_EQ(env.Run({"nginx", "-v"}, {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(env.CallsStartingWith("run "),
              ElementsAre("run xl list", "run nginx -v"));
}

TEST(RecordingEnvTest, ProcessesRunUntilStoppedOrEnded) {
  RecordingEnv env;
  ASSERT_TRUE(env.MakeDirs("/run", 0755).ok());
  ProcessLaunch launch;
  launch.argv = {"nginx", "-p", "/x"};
  launch.pid_file = "/run/a.pid";
  absl::StatusOr<pid_t> pid = env.StartProcess(launch);
  ASSERT_TRUE(pid.ok());
  EXPECT_EQ(*env.FindProcess("/run/a.pid"), *pid);
  env.EndProcess("/run/a.pid", {ProcessStatus::State::kExited, 0, 3, 0});
  EXPECT_EQ(*env.FindProcess("/run/a.pid"), 0);
  ProcessStatus status = env.ProcessStatusOf("/run/a.pid");
  EXPECT_EQ(status.state, ProcessStatus::State::kExited);
  EXPECT_EQ(status.exit_code, 3);
  ASSERT_TRUE(env.StopProcess("/run/a.pid", absl::Seconds(1)).ok());
  EXPECT_EQ(env.ProcessStatusOf("/run/a.pid").state,
            ProcessStatus::State::kGone);
  EXPECT_THAT(env.calls(), ElementsAre("mkdirs /run", "start nginx -p /x",
                                       "stop /run/a.pid"));
}

TEST(RecordingEnvTest, AScriptedStartFailureIsReturned) {
  RecordingEnv env;
  env.FailStart("qemu", absl::InternalError("qemu exited with status 1"));
  ProcessLaunch launch;
  launch.argv = {"qemu"};
  launch.pid_file = "/p";
  EXPECT_EQ(env.StartProcess(launch).status().message(),
            "qemu exited with status 1");
}

TEST(RecordingEnvTest, ListsDirectoriesAndRemovesTrees) {
  RecordingEnv env;
  env.AddFile("/r/run/a.pid", "1 1\n");
  env.AddFile("/r/targets/a/kind", "native\n");
  EXPECT_THAT(*env.ListDir("/r"), ElementsAre("run", "targets"));
  ASSERT_TRUE(env.RemoveTree("/r/targets").ok());
  EXPECT_THAT(*env.ListDir("/r"), ElementsAre("run"));
}

TEST(SteppingClockTest, SleepingMovesTimeToTheDeadlineAtOnce) {
  SteppingClock clock;
  clock.SleepUntil(absl::Seconds(10));
  EXPECT_EQ(clock.Monotonic(), absl::Seconds(10));
  clock.SleepUntil(absl::Seconds(5));  // Already past.
  EXPECT_EQ(clock.Monotonic(), absl::Seconds(10));
}

}  // namespace
}  // namespace scalebench::os
