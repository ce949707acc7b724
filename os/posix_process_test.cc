#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "os/posix_env.h"

namespace scalebench::os {
namespace {

using ::testing::HasSubstr;

// Whether `pid` runs: exists and is not a zombie (an orphan's zombie may
// linger when pid 1 does not reap, as in some containers).
bool Running(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return false;
  const size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() &&
         stat[close + 2] != 'Z';
}

class ProcessTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) {
    return ::testing::TempDir() + "/process_test_" + name;
  }
  void TearDown() override {
    for (const std::string& f : pid_files_) {
      (void)env_.StopProcess(f, absl::Milliseconds(100));
    }
  }
  absl::StatusOr<pid_t> StartProcess(const ProcessLaunch& launch) {
    return env_.StartProcess(launch);
  }
  absl::StatusOr<pid_t> FindProcess(const std::string& pid_file) {
    return env_.FindProcess(pid_file);
  }
  absl::Status StopProcess(const std::string& pid_file,
                           absl::Duration grace = absl::Seconds(5)) {
    return env_.StopProcess(pid_file, grace);
  }
  PosixEnv env_{Clock::Real()};
  std::string PidFile(const std::string& name) {
    pid_files_.push_back(Path(name + ".pid"));
    unlink(pid_files_.back().c_str());
    return pid_files_.back();
  }
  // `sleep 30` with the pid file PidFile(name): a process that runs until
  // it is stopped.
  ProcessLaunch Sleeper(const std::string& name) {
    ProcessLaunch launch;
    launch.argv = {"sleep", "30"};
    launch.pid_file = PidFile(name);
    return launch;
  }
  std::vector<std::string> pid_files_;
};

TEST_F(ProcessTest, StartsFindsAndStopsAProcess) {
  ProcessLaunch launch = Sleeper("sleep");
  absl::StatusOr<pid_t> pid = StartProcess(launch);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_TRUE(Running(*pid));
  EXPECT_EQ(*FindProcess(launch.pid_file), *pid);

  ASSERT_TRUE(StopProcess(launch.pid_file).ok());
  EXPECT_FALSE(Running(*pid));
  EXPECT_EQ(*FindProcess(launch.pid_file), 0);
  // Idempotent.
  EXPECT_TRUE(StopProcess(launch.pid_file).ok());
}

// A descriptor the worker holds (its gRPC connection, say) does not live
// on in the processes it starts.
TEST_F(ProcessTest, TheWorkersDescriptorsAreNotInherited) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);  // Deliberately without O_CLOEXEC.
  ProcessLaunch launch = Sleeper("fds");
  absl::StatusOr<pid_t> pid = StartProcess(launch);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  ASSERT_TRUE(pid.ok()) << pid.status();
  std::vector<std::string> fds;
  for (const auto& entry : std::filesystem::directory_iterator(
           "/proc/" + std::to_string(*pid) + "/fd")) {
    fds.push_back(entry.path().filename());
  }
  std::sort(fds.begin(), fds.end());
  EXPECT_EQ(fds, (std::vector<std::string>{"0", "1", "2"}));
}

TEST_F(ProcessTest, PinsToTheCoresAsked) {
  ProcessLaunch launch = Sleeper("pinned");
  launch.cpus = {0};
  absl::StatusOr<pid_t> pid = StartProcess(launch);
  ASSERT_TRUE(pid.ok()) << pid.status();
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(*pid, sizeof(set), &set), 0);
  EXPECT_EQ(CPU_COUNT(&set), 1);
  EXPECT_TRUE(CPU_ISSET(0, &set));
}

TEST_F(ProcessTest, AProgramThatExitsAtOnceIsAnErrorWithItsLog) {
  ProcessLaunch launch;
  launch.argv = {"sh", "-c", "echo 'bind() failed: address in use'; exit 3"};
  launch.pid_file = PidFile("fails");
  launch.log_path = Path("fails.log");
  unlink(launch.log_path.c_str());
  absl::StatusOr<pid_t> pid = StartProcess(launch);
  ASSERT_FALSE(pid.ok());
  EXPECT_THAT(pid.status().message(), HasSubstr("exited with status 3"));
  EXPECT_THAT(pid.status().message(), HasSubstr("address in use"));
}

TEST_F(ProcessTest, AMissingProgramSaysSo) {
  ProcessLaunch launch;
  launch.argv = {"/nonexistent/scalebench-no-such-program"};
  launch.pid_file = PidFile("missing");
  absl::StatusOr<pid_t> pid = StartProcess(launch);
  ASSERT_FALSE(pid.ok());
  EXPECT_THAT(pid.status().message(), HasSubstr("could not be run"));
}

// A pid file whose pid now belongs to another process (same pid, another
// start time) is not that process: it is neither found nor killed.
TEST_F(ProcessTest, ARecycledPidIsNotMistakenForTheProcess) {
  const std::string pid_file = PidFile("recycled");
  std::ofstream(pid_file) << getpid() << " 1\n";
  EXPECT_EQ(*FindProcess(pid_file), 0);
  EXPECT_TRUE(StopProcess(pid_file).ok());
  EXPECT_TRUE(Running(getpid()));  // We are still here.
}

TEST_F(ProcessTest, AdoptsTheProcessOfADaemonsOwnPidFile) {
  ProcessLaunch launch;
  launch.pid_file = PidFile("daemon");
  launch.argv = {"sh", "-c", "sleep 30 & echo $! > " + launch.pid_file};
  launch.own_pid_file_wait = absl::Seconds(5);
  absl::StatusOr<pid_t> pid = StartProcess(launch);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(*FindProcess(launch.pid_file), *pid);
  ASSERT_TRUE(StopProcess(launch.pid_file).ok());
  EXPECT_FALSE(Running(*pid));
}

TEST_F(ProcessTest, StopKillsWhatIgnoresSigterm) {
  ProcessLaunch launch;
  launch.argv = {"sh", "-c", "trap '' TERM; while :; do sleep 1; done"};
  launch.pid_file = PidFile("stubborn");
  absl::StatusOr<pid_t> pid = StartProcess(launch);
  ASSERT_TRUE(pid.ok()) << pid.status();
  ASSERT_TRUE(StopProcess(launch.pid_file, absl::Milliseconds(200)).ok());
  EXPECT_FALSE(Running(*pid));
}

// How a process ended is known for the processes it started.
TEST_F(ProcessTest, TellsHowAnOwnChildEnded) {
  ProcessLaunch launch = Sleeper("status");
  absl::StatusOr<pid_t> pid = StartProcess(launch);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(env_.ProcessStatusOf(launch.pid_file).state,
            ProcessStatus::State::kRunning);
  ASSERT_EQ(kill(*pid, SIGKILL), 0);
  ProcessStatus status;
  while ((status = env_.ProcessStatusOf(launch.pid_file)).state ==
         ProcessStatus::State::kRunning) {
    Clock::Real()->SleepUntil(Clock::Real()->Monotonic() +
                              absl::Milliseconds(5));
  }
  EXPECT_EQ(status.state, ProcessStatus::State::kSignaled);
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_EQ(status.pid, *pid);
}

TEST_F(ProcessTest, NoPidFileIsGone) {
  EXPECT_EQ(env_.ProcessStatusOf(PidFile("none")).state,
            ProcessStatus::State::kGone);
}

}  // namespace
}  // namespace scalebench::os
