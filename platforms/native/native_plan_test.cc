// What the native driver would write and run, read without starting
// anything.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platforms/native/native_driver.h"
#include "worker/testing/test_context.h"

namespace scalebench::worker {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

WorkerContext Context() { return testing::TestContext("/var/lib/sb"); }

TargetLaunch Launch() {
  TargetLaunch launch = testing::TestTargetLaunch(3);
  launch.port = 20003;
  launch.page_bytes = 1234;
  return launch;
}

TEST(NativePlanTest, OneWorkerPerVcpuPinnedInTheForeground) {
  NativeDriver driver(Context());
  TargetLaunch launch = Launch();
  launch.vcpus = 2;
  launch.cpus = {0, 1};
  absl::StatusOr<LaunchPlan> plan = driver.Plan(launch);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->files.size(), 2u);
  const std::string prefix = "/var/lib/sb/targets/scalebench-w1-t3";
  EXPECT_EQ(plan->files[0].path, prefix + "/nginx.conf");
  const std::string& conf = plan->files[0].contents;
  EXPECT_THAT(conf, HasSubstr("worker_processes 2;\n"));
  EXPECT_THAT(conf, HasSubstr("worker_cpu_affinity 01 10;\n"));
  EXPECT_THAT(conf, HasSubstr("daemon off;\nmaster_process on;\n"));
  EXPECT_THAT(conf, HasSubstr("access_log off;\n"));
  EXPECT_THAT(conf, HasSubstr("listen 127.0.0.1:20003 backlog=4096;\n"));
  EXPECT_THAT(conf, HasSubstr("root " + prefix + "/html;\n"));
  EXPECT_THAT(conf, HasSubstr("client_body_temp_path " + prefix + "/tmp/"));
  EXPECT_EQ(plan->files[1].path, prefix + "/html/index.html");
  EXPECT_EQ(plan->files[1].contents.size(), 1234u);
  ASSERT_EQ(plan->commands.size(), 1u);
  EXPECT_EQ(plan->commands[0],
            (std::vector<std::string>{"/usr/sbin/nginx", "-p", prefix + "/",
                                      "-c", prefix + "/nginx.conf", "-e",
                                      prefix + "/error.log"}));
  EXPECT_THAT(plan->summary, HasSubstr("target 3"));
}

TEST(NativePlanTest, WorkerProcessesOverridesVcpus) {
  NativeDriver driver(Context());
  TargetLaunch launch = Launch();
  launch.vcpus = 1;
  launch.worker_processes = 3;
  launch.cpus = {1};
  absl::StatusOr<LaunchPlan> plan = driver.Plan(launch);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->files[0].contents, HasSubstr("worker_processes 3;\n"));
  EXPECT_THAT(plan->files[0].contents,
              HasSubstr("worker_cpu_affinity 10 10 10;\n"));
}

TEST(NativePlanTest, UnpinnedWithoutCores) {
  NativeDriver driver(Context());
  TargetLaunch launch = Launch();
  launch.cpus.clear();
  absl::StatusOr<LaunchPlan> plan = driver.Plan(launch);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->files[0].contents, Not(HasSubstr("worker_cpu_affinity")));
}

TEST(NativePlanTest, TheNginxBinaryIsConfigurable) {
  NativeDriverOptions options;
  options.nginx_binary = "/opt/nginx/sbin/nginx";
  NativeDriver driver(Context(), options);
  absl::StatusOr<LaunchPlan> plan = driver.Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->commands[0][0], "/opt/nginx/sbin/nginx");
}

TEST(NativePlanTest, RefusesWhatCannotRun) {
  NativeDriver driver(Context());
  for (const char* id :
       {"scalebench-w1-t", "scalebench-w1-tx", "scalebench-w2-t0",
        "scalebench-w1-t0;", "scalebench-w1-t0/..", "scalebench-w1-balancer"}) {
    TargetLaunch launch = Launch();
    launch.id = id;
    EXPECT_EQ(driver.Plan(launch).status().code(),
              absl::StatusCode::kInvalidArgument)
        << id;
  }
  for (const char* address :
       {"127.0.0.1;", "a b", "a\"b", "127.0.0.1\nlisten 80", "", "[::1]"}) {
    TargetLaunch launch = Launch();
    launch.listen_address = address;
    EXPECT_EQ(driver.Plan(launch).status().code(),
              absl::StatusCode::kInvalidArgument)
        << address;
  }
  TargetLaunch launch = Launch();
  launch.port = 0;
  EXPECT_EQ(driver.Plan(launch).status().code(),
            absl::StatusCode::kInvalidArgument);
  launch = Launch();
  launch.vcpus = 0;
  EXPECT_EQ(driver.Plan(launch).status().code(),
            absl::StatusCode::kInvalidArgument);
  launch = Launch();
  launch.page_bytes = NativeDriver::kMaxPageBytes + 1;
  EXPECT_EQ(driver.Plan(launch).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace scalebench::worker
