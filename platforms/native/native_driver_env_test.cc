// The native driver and the balancers, which share its Start
// (worker/owned_process_driver.h) and its Stop and WaitReady (their
// Instances, worker/owned_process.h), on the recording Env: the
// files and processes of a start, what a failure leaves, and how a target
// that dies is reported. No nginx runs.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "os/recording_env.h"
#include "platforms/native/native_driver.h"
#include "worker/balancers/haproxy_balancer.h"
#include "worker/testing/test_context.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class NativeDriverEnvTest : public ::testing::Test {
 protected:
  static TargetLaunch Launch() {
    TargetLaunch launch = testing::TestTargetLaunch(0);
    // A name is not bound before the start: no real port is needed.
    launch.listen_address = "localhost";
    launch.page_bytes = 10;
    return launch;
  }

  os::RecordingEnv env_;
  WorkerContext context_ = testing::TestContext(env_);
  // Target 0's prefix and pid file.
  const std::string prefix_ = testing::TestTargetDir(0);
  const std::string pid_file_ = testing::TestPidFile(0);
};

TEST_F(NativeDriverEnvTest, StartWritesThePrefixThenStartsNginx) {
  NativeDriver driver(context_);
  absl::StatusOr<Target> target = driver.Start(Launch());
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->endpoint, "localhost:20001");
  const std::string& prefix = prefix_;
  EXPECT_THAT(env_.CallsStartingWith("write "),
              ElementsAre("write " + prefix + "/kind",
                          "write " + prefix + "/nginx.conf",
                          "write " + prefix + "/html/index.html"));
  EXPECT_THAT(env_.CallsStartingWith("start "),
              ElementsAre(HasSubstr("start /usr/sbin/nginx")));
  EXPECT_TRUE(env_.HasDir(prefix + "/tmp"));
  EXPECT_EQ(*env_.File(prefix + "/html/index.html"), "xxxxxxxxxx");
  EXPECT_EQ(env_.ModeOf(prefix + "/html/index.html"), 0644u);
  EXPECT_FALSE(driver.Terminated("scalebench-w1-t0")->has_value());
}

TEST_F(NativeDriverEnvTest, AFailedStartLeavesNothingAndNamesTheTarget) {
  env_.FailStart("/usr/sbin/nginx",
                 absl::InternalError("nginx exited with status 1: bind()"));
  NativeDriver driver(context_);
  absl::StatusOr<Target> target = driver.Start(Launch());
  EXPECT_THAT(target.status().message(),
              HasSubstr("target scalebench-w1-t0: nginx exited with status 1"));
  EXPECT_FALSE(env_.HasDir(prefix_));
}

// A target that dies before it answers fails WaitReady at once, saying
// how it ended, instead of after the whole timeout.
TEST_F(NativeDriverEnvTest, WaitReadyStopsWaitingWhenTheTargetDies) {
  NativeDriver driver(context_);
  absl::StatusOr<Target> target = driver.Start(Launch());
  ASSERT_TRUE(target.ok()) << target.status();
  // Nothing listens there: the real probe is refused.
  target->endpoint = "127.0.0.1:1";
  env_.EndProcess(pid_file_, {os::ProcessStatus::State::kExited, 0, 1, 0});
  absl::Status ready = driver.WaitReady(*target, absl::Hours(1));
  EXPECT_EQ(ready.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(ready.message(),
              HasSubstr("scalebench-w1-t0 exited with status 1"));
  EXPECT_LT(env_.clock()->Monotonic(), absl::Seconds(1));
}

TEST_F(NativeDriverEnvTest, WaitReadyGivesUpAfterItsTimeout) {
  NativeDriver driver(context_);
  absl::StatusOr<Target> target = driver.Start(Launch());
  ASSERT_TRUE(target.ok()) << target.status();
  target->endpoint = "127.0.0.1:1";
  absl::Status ready = driver.WaitReady(*target, absl::Seconds(2));
  EXPECT_EQ(ready.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(ready.message(), HasSubstr("127.0.0.1:1"));
}

TEST_F(NativeDriverEnvTest, StoppedIsATerminationToo) {
  NativeDriver driver(context_);
  ASSERT_TRUE(driver.Start(Launch()).ok());
  env_.ClearCalls();
  ASSERT_TRUE(driver.Stop("scalebench-w1-t0").ok());
  EXPECT_THAT(env_.calls(), ElementsAre(absl::StrCat("stop ", pid_file_),
                                        absl::StrCat("rmtree ", prefix_)));
  absl::StatusOr<std::optional<Termination>> ended =
      driver.Terminated("scalebench-w1-t0");
  ASSERT_TRUE(ended.ok() && ended->has_value());
  EXPECT_EQ((*ended)->reason, Termination::Reason::kStopped);
}

TEST_F(NativeDriverEnvTest, ABalancerStartsTheSameWayUnderItsOwnArea) {
  HaproxyBalancer balancer(context_);
  BalancerLaunch launch;
  launch.id = "scalebench-w1-balancer";
  launch.endpoints = {"127.0.0.1:20001", "127.0.0.1:20002"};
  launch.cpus = {0};
  launch.listen_address = "localhost";
  launch.port = 20000;
  absl::StatusOr<Target> started = balancer.Start(launch);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(started->endpoint, "localhost:20000");
  EXPECT_THAT(
      env_.CallsStartingWith("write "),
      ElementsAre("write /s/balancers/scalebench-w1-balancer/kind",
                  "write /s/balancers/scalebench-w1-balancer/haproxy.cfg"));
  EXPECT_THAT(env_.CallsStartingWith("start "),
              ElementsAre("start /usr/sbin/haproxy -db -f "
                          "/s/balancers/scalebench-w1-balancer/haproxy.cfg"));
  EXPECT_THAT(*balancer.List(), ElementsAre("scalebench-w1-balancer"));
}

}  // namespace
}  // namespace scalebench::worker
