// The native driver with a real nginx: targets serve the page asked on
// their own ports, pinned; Stop is idempotent; Recover removes exactly what
// an earlier worker of the same owner and kind left.
#include "platforms/native/native_driver.h"

#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "loadgen/report.h"
#include "loadgen/runner.h"
#include "os/env.h"
#include "worker/http_probe.h"
#include "worker/native_test_support.h"
#include "worker/testing/load_check.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr absl::Duration kReadyTimeout = absl::Seconds(10);

class NativeDriverTest : public NativeFixture {
 protected:
  TargetLaunch Launch(const WorkerContext& context, int index,
                      uint32_t page_bytes) {
    TargetLaunch launch;
    launch.id = absl::StrCat(context.owner, "-t", index);
    launch.index = index;
    launch.cpus = {index % 2};
    launch.port = FreePort();
    launch.page_bytes = page_bytes;
    return launch;
  }
  pid_t PidOf(const std::string& id) {
    return PidInFile(absl::StrCat(state_dir_, "/run/", id, ".pid"));
  }
};

TEST_F(NativeDriverTest, IsUsableAndSaysItsVersion) {
  NativeDriver driver(context_);
  EXPECT_TRUE(driver.CheckUsable().ok());
  absl::StatusOr<std::string> version = driver.Version();
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_THAT(*version, ::testing::MatchesRegex("1\\.[0-9]+\\.[0-9]+.*"));
  EXPECT_EQ(driver.platform(), v1::PLATFORM_NATIVE);

  NativeDriverOptions missing;
  missing.nginx_binary = "/nonexistent/nginx";
  EXPECT_EQ(NativeDriver(context_, missing).CheckUsable().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(NativeDriverTest, OneTargetServesThePageAskedPinnedAndStops) {
  NativeDriver driver(context_);
  const TargetLaunch launch = Launch(context_, 0, 4321);
  absl::StatusOr<Target> target = driver.Start(launch);
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->id, launch.id);
  EXPECT_EQ(target->endpoint, absl::StrCat("127.0.0.1:", launch.port));
  ASSERT_TRUE(
      WaitForHttp(target->endpoint, kReadyTimeout, *Clock::Real()).ok());

  absl::StatusOr<HttpAnswer> answer = HttpGet(target->endpoint);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body.size(), 4321u);
  EXPECT_THAT(*driver.List(), ElementsAre(launch.id));

  const pid_t pid = PidOf(launch.id);
  ASSERT_TRUE(Running(pid));
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(pid, sizeof(set), &set), 0);
  EXPECT_EQ(CPU_COUNT(&set), 1);
  EXPECT_TRUE(CPU_ISSET(0, &set));

  ASSERT_TRUE(driver.Stop(launch.id).ok());
  EXPECT_FALSE(Running(pid));
  EXPECT_FALSE(ProbeHttp(target->endpoint, *Clock::Real()).ok());
  EXPECT_FALSE(std::filesystem::exists(driver.PrefixOf(launch.id)));
  EXPECT_THAT(*driver.List(), IsEmpty());
  // Idempotent, and OK for an id never started.
  EXPECT_TRUE(driver.Stop(launch.id).ok());
  EXPECT_TRUE(driver.Stop(context_.owner + "-t9").ok());
}

TEST_F(NativeDriverTest, FourTargetsOnDistinctPortsEachWithItsPage) {
  NativeDriver driver(context_);
  std::vector<Target> targets;
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<Target> target =
        driver.Start(Launch(context_, i, 100 * (i + 1)));
    ASSERT_TRUE(target.ok()) << target.status();
    targets.push_back(*target);
  }
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(
        WaitForHttp(targets[i].endpoint, kReadyTimeout, *Clock::Real()).ok());
    absl::StatusOr<HttpAnswer> answer = HttpGet(targets[i].endpoint);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->body.size(), 100u * (i + 1)) << targets[i].endpoint;
  }
  EXPECT_EQ(driver.List()->size(), 4u);
  for (const Target& target : targets) {
    EXPECT_TRUE(driver.Stop(target.id).ok());
  }
  EXPECT_THAT(*driver.List(), IsEmpty());
}

TEST_F(NativeDriverTest, WorkerProcessesFollowVcpus) {
  NativeDriver driver(context_);
  TargetLaunch launch = Launch(context_, 0, 10);
  launch.vcpus = 2;
  launch.cpus = {0, 1};
  absl::StatusOr<Target> target = driver.Start(launch);
  ASSERT_TRUE(target.ok()) << target.status();
  ASSERT_TRUE(
      WaitForHttp(target->endpoint, kReadyTimeout, *Clock::Real()).ok());
  // The master's children are its workers.
  const pid_t master = PidOf(launch.id);
  std::ifstream children(
      absl::StrCat("/proc/", master, "/task/", master, "/children"));
  int count = 0;
  for (pid_t child; children >> child;) ++count;
  EXPECT_EQ(count, 2);
}

TEST_F(NativeDriverTest, SecondStartOfARunningIdIsRefused) {
  NativeDriver driver(context_);
  TargetLaunch launch = Launch(context_, 0, 10);
  ASSERT_TRUE(driver.Start(launch).ok());
  launch.port = FreePort();
  EXPECT_EQ(driver.Start(launch).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(NativeDriverTest, ABusyPortFailsAtOnce) {
  NativeDriver driver(context_);
  TargetLaunch first = Launch(context_, 0, 10);
  absl::StatusOr<Target> running = driver.Start(first);
  ASSERT_TRUE(running.ok()) << running.status();
  // Listening, not just started.
  ASSERT_TRUE(
      WaitForHttp(running->endpoint, kReadyTimeout, *Clock::Real()).ok());
  TargetLaunch second = Launch(context_, 1, 10);
  second.port = first.port;
  absl::StatusOr<Target> target = driver.Start(second);
  EXPECT_EQ(target.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(target.status().message(), HasSubstr("in use"));
  EXPECT_FALSE(std::filesystem::exists(driver.PrefixOf(second.id)));
  EXPECT_THAT(*driver.List(), ElementsAre(first.id));
}

TEST_F(NativeDriverTest, ABadConfigIsAnErrorWithNginxsLog) {
  NativeDriverOptions options;
  // A shell standing in for nginx that fails as nginx would.
  const std::string fake = state_dir_ + "/fake-nginx";
  std::ofstream(fake) << "#!/bin/sh\necho 'nginx: [emerg] unknown directive' "
                         ">&2\nexit 1\n";
  ASSERT_EQ(chmod(fake.c_str(), 0755), 0);
  options.nginx_binary = fake;
  NativeDriver driver(context_, options);
  const TargetLaunch launch = Launch(context_, 0, 10);
  absl::StatusOr<Target> target = driver.Start(launch);
  EXPECT_EQ(target.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(target.status().message(), HasSubstr("unknown directive"));
  EXPECT_THAT(target.status().message(), HasSubstr(launch.id));
  EXPECT_FALSE(std::filesystem::exists(driver.PrefixOf(launch.id)));
}

// As root, nginx's workers run as nobody: a state dir they cannot reach
// is refused with the reason, not served as 403s.
TEST_F(NativeDriverTest, AStateDirNobodyCanReachIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "workers run as nobody only under root";
  const std::string closed = state_dir_ + "/closed";
  std::filesystem::create_directories(closed);
  ASSERT_EQ(chmod(closed.c_str(), 0700), 0);
  WorkerContext context = context_;
  context.state_dir = closed + "/state";
  NativeDriver driver(context);
  const TargetLaunch launch = Launch(context_, 0, 10);
  absl::StatusOr<Target> target = driver.Start(launch);
  EXPECT_EQ(target.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(target.status().message(),
              HasSubstr(closed + " is not searchable"));
  EXPECT_THAT(*driver.List(), IsEmpty());
}

// A worker that crashed left its targets running with their pid files; a
// new worker of the same owner removes them and their prefixes, and leaves
// another owner's target and another driver's process alone.
TEST_F(NativeDriverTest, RecoverRemovesWhatACrashedWorkerLeft) {
  auto crashed = std::make_unique<NativeDriver>(context_);
  std::vector<pid_t> left;
  for (int i = 0; i < 2; ++i) {
    const TargetLaunch launch = Launch(context_, i, 10);
    ASSERT_TRUE(crashed->Start(launch).ok());
    left.push_back(PidOf(launch.id));
  }
  crashed.reset();  // No Stop: as if the worker died.
  // A prefix of ours with no process (died between Start and Stop).
  const std::string stale = state_dir_ + "/targets/" + context_.owner + "-t7";
  std::filesystem::create_directories(stale);
  std::ofstream(stale + "/kind") << "native\n";

  const WorkerContext other = MakeContext("w1-t1");  // A confusable name.
  NativeDriver other_driver(other);
  const TargetLaunch other_launch = Launch(other, 0, 77);
  absl::StatusOr<Target> other_target = other_driver.Start(other_launch);
  ASSERT_TRUE(other_target.ok()) << other_target.status();

  // Another driver's process with a pid file of the same shape.
  const std::string qemu_id = context_.owner + "-t5";
  std::filesystem::create_directories(state_dir_ + "/targets/" + qemu_id);
  std::ofstream(state_dir_ + "/targets/" + qemu_id + "/kind") << "qemu\n";
  os::Env& env = *os::Env::Default();
  os::ProcessLaunch sleeper;
  sleeper.argv = {"sleep", "60"};
  sleeper.pid_file = state_dir_ + "/run/" + qemu_id + ".pid";
  absl::StatusOr<pid_t> qemu = env.StartProcess(sleeper);
  ASSERT_TRUE(qemu.ok()) << qemu.status();

  NativeDriver restarted(context_);
  EXPECT_EQ(restarted.List()->size(), 2u);
  ASSERT_TRUE(restarted.Recover().ok());
  for (pid_t pid : left) EXPECT_FALSE(Running(pid));
  EXPECT_THAT(*restarted.List(), IsEmpty());
  for (int i = 0; i < 2; ++i) {
    const std::string id = absl::StrCat(context_.owner, "-t", i);
    EXPECT_FALSE(std::filesystem::exists(state_dir_ + "/run/" + id + ".pid"));
    EXPECT_FALSE(std::filesystem::exists(restarted.PrefixOf(id)));
  }
  EXPECT_FALSE(std::filesystem::exists(stale));
  // Idempotent.
  EXPECT_TRUE(restarted.Recover().ok());

  EXPECT_TRUE(Running(*qemu));
  EXPECT_TRUE(std::filesystem::exists(state_dir_ + "/targets/" + qemu_id));
  EXPECT_TRUE(env.StopProcess(sleeper.pid_file, absl::Seconds(5)).ok());
  EXPECT_THAT(*other_driver.List(), ElementsAre(other_launch.id));
  absl::StatusOr<HttpAnswer> answer = HttpGet(other_target->endpoint);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->body.size(), 77u);
}

TEST_F(NativeDriverTest, LoadgenRunsWithoutErrors) {
  NativeDriver driver(context_);
  const absl::Duration begin = Clock::Real()->Monotonic();
  absl::StatusOr<Target> target = driver.Start(Launch(context_, 0, 612));
  ASSERT_TRUE(target.ok()) << target.status();
  ASSERT_TRUE(WaitForHttp(target->endpoint, kReadyTimeout, *Clock::Real(),
                          absl::Milliseconds(5))
                  .ok());
  RecordProperty("start_to_ready_ms", absl::StrCat(absl::ToDoubleMilliseconds(
                                          Clock::Real()->Monotonic() - begin)));
  ExpectLoadWithoutErrors(target->endpoint, absl::Seconds(2),
                          /*threads=*/1);
}

}  // namespace
}  // namespace scalebench::worker
