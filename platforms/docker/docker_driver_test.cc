// The docker driver without an engine: what Plan() would ask of one (the
// create body's pinning, limit, labels and network; the config it
// mounts), and what it refuses.
#include "platforms/docker/docker_driver.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "os/recording_env.h"
#include "worker/testing/test_context.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

WorkerContext Context() {
  return testing::TestContext("/var/lib/scalebench-test");
}

TargetLaunch Launch() {
  TargetLaunch launch = testing::TestTargetLaunch(3);
  launch.cpus = {1, 0};
  launch.vcpus = 2;
  launch.memory_mb = 96;
  launch.port = 20003;
  launch.page_bytes = 1000;
  return launch;
}

std::unique_ptr<DockerDriver> Driver() {
  DockerDriverOptions options;
  // No engine is asked anything: Plan() never connects.
  options.docker_host = "unix:///nonexistent/docker.sock";
  options.default_image = "scalebench/nginx:0123456789abcdef";
  auto driver = DockerDriver::Create(Context(), options);
  EXPECT_TRUE(driver.ok()) << driver.status();
  return std::move(*driver);
}

const LaunchPlan::File* FindFile(const LaunchPlan& plan,
                                 const std::string& path) {
  for (const LaunchPlan::File& file : plan.files) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

TEST(DockerDriverPlanTest, CreateBodyPinsLimitsLabelsAndUsesHostNetwork) {
  auto plan = Driver()->Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  const LaunchPlan::File* create =
      FindFile(*plan, "POST /containers/create?name=scalebench-w1-t3");
  ASSERT_NE(create, nullptr);
  const nlohmann::json body = nlohmann::json::parse(create->contents);
  EXPECT_EQ(body["Image"], "scalebench/nginx:0123456789abcdef");
  EXPECT_EQ(body["HostConfig"]["NetworkMode"], "host");
  EXPECT_EQ(body["HostConfig"]["CpusetCpus"], "0,1");
  EXPECT_EQ(body["HostConfig"]["Memory"], 96 * 1024 * 1024);
  EXPECT_EQ(body["HostConfig"]["MemorySwap"], 96 * 1024 * 1024);
  EXPECT_EQ(body["Labels"]["scalebench.owner"], "scalebench-w1");
  EXPECT_EQ(body["Labels"]["scalebench.target"], "scalebench-w1-t3");
  EXPECT_THAT(body["HostConfig"]["Binds"].get<std::vector<std::string>>(),
              ElementsAre("/var/lib/scalebench-test/targets/scalebench-w1-t3:"
                          "/etc/scalebench:ro"));
  EXPECT_EQ(body["Cmd"].back(), "/etc/scalebench/nginx.conf");
}

TEST(DockerDriverPlanTest, ConfigListensOnTheAddressWithAWorkerPerVcpu) {
  auto plan = Driver()->Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  const LaunchPlan::File* config = FindFile(
      *plan, "/var/lib/scalebench-test/targets/scalebench-w1-t3/nginx.conf");
  ASSERT_NE(config, nullptr);
  EXPECT_THAT(config->contents, HasSubstr("worker_processes 2;"));
  EXPECT_THAT(config->contents, HasSubstr("listen 127.0.0.1:20003 "));
  EXPECT_THAT(config->contents, HasSubstr("daemon off;"));
  const LaunchPlan::File* page = FindFile(
      *plan,
      "/var/lib/scalebench-test/targets/scalebench-w1-t3/html/index.html");
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(page->contents.size(), 1000u);
  EXPECT_THAT(plan->summary, HasSubstr("cores 0,1"));
}

TEST(DockerDriverPlanTest, WorkerProcessesOverridesVcpusAndIpv6IsBracketed) {
  TargetLaunch launch = Launch();
  launch.worker_processes = 5;
  launch.listen_address = "::1";
  auto plan = Driver()->Plan(launch);
  ASSERT_TRUE(plan.ok()) << plan.status();
  const std::string& config = plan->files[0].contents;
  EXPECT_THAT(config, HasSubstr("worker_processes 5;"));
  EXPECT_THAT(config, HasSubstr("listen [::1]:20003 "));
}

TEST(DockerDriverPlanTest, CommandsAreTheApiCallsInOrder) {
  auto plan = Driver()->Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_GE(plan->commands.size(), 4u);
  EXPECT_THAT(
      plan->commands.front(),
      ElementsAre("GET", "/images/scalebench/nginx:0123456789abcdef/json"));
  const size_t n = plan->commands.size();
  EXPECT_THAT(plan->commands[n - 3],
              ElementsAre("POST", "/containers/create?name=scalebench-w1-t3"));
  EXPECT_THAT(plan->commands[n - 2],
              ElementsAre("POST", "/containers/scalebench-w1-t3/start"));
}

TEST(DockerDriverPlanTest, ANamedImageIsUsedAndNeverBuilt) {
  TargetLaunch launch = Launch();
  launch.image = "nginx:1.25";
  auto plan = Driver()->Plan(launch);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->files[2].contents, HasSubstr("\"nginx:1.25\""));
  EXPECT_EQ(plan->commands.size(), 4u);
}

TEST(DockerDriverPlanTest, RefusesWhatCannotRun) {
  auto driver = Driver();
  TargetLaunch launch = Launch();
  launch.id = "someone-else-t0";
  EXPECT_TRUE(absl::IsInvalidArgument(driver->Plan(launch).status()));
  launch = Launch();
  launch.port = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(driver->Plan(launch).status()));
  launch = Launch();
  launch.memory_mb = 4;
  EXPECT_TRUE(absl::IsInvalidArgument(driver->Plan(launch).status()));
  launch = Launch();
  launch.listen_address = "localhost; rm -rf /";
  EXPECT_TRUE(absl::IsInvalidArgument(driver->Plan(launch).status()));
  launch = Launch();
  launch.image = "Nginx\"; evil";
  EXPECT_TRUE(absl::IsInvalidArgument(driver->Plan(launch).status()));
}

TEST(DockerDriverPlanTest, TheDefaultImageIsNamedByTheHashOfItsInputs) {
  DockerDriverOptions options;
  options.docker_host = "unix:///nonexistent/docker.sock";
  options.image_cache_dir = ::testing::TempDir() + "/images";
  auto driver = DockerDriver::Create(Context(), options);
  ASSERT_TRUE(driver.ok()) << driver.status();
  auto image = (*driver)->ImageFor(Launch());
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_THAT(*image, ::testing::MatchesRegex("scalebench/nginx:[0-9a-f]{16}"));
  // Naming it builds nothing.
  EXPECT_FALSE(std::filesystem::exists(options.image_cache_dir));
}

TEST(DockerHostTest, FlagWinsOverTheEnvironment) {
  EXPECT_EQ(ResolveDockerHost("unix:///a/b.sock"), "unix:///a/b.sock");
  setenv("DOCKER_HOST", "unix:///from/env.sock", 1);
  EXPECT_EQ(ResolveDockerHost(""), "unix:///from/env.sock");
  unsetenv("DOCKER_HOST");
  EXPECT_EQ(ResolveDockerHost(""), "unix:///var/run/docker.sock");
}

TEST(DockerHostTest, OnlyUnixSocketsAreAccepted) {
  EXPECT_EQ(*DockerSocketPath("unix:///run/x.sock"), "/run/x.sock");
  EXPECT_TRUE(absl::IsInvalidArgument(
      DockerSocketPath("tcp://10.0.0.1:2375").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(DockerSocketPath("unix://rel").status()));
  WorkerContext context = Context();
  DockerDriverOptions options;
  options.docker_host = "tcp://10.0.0.1:2375";
  EXPECT_TRUE(
      absl::IsInvalidArgument(DockerDriver::Create(context, options).status()));
}

// The default image's name comes from the image script, run through the
// OS seam with a timeout; Plan() runs nothing else and writes nothing.
TEST(DockerDriverPlanTest,
     TheDefaultImageIsNamedByTheScriptAndNothingElseRuns) {
  os::RecordingEnv env;
  env.OnRun("/s/build-nginx-image.sh", [](const std::vector<std::string>&) {
    os::ProgramOutput output;
    output.exit_code = 0;
    output.out = "IMAGE=scalebench/nginx:feedface\n";
    return output;
  });
  WorkerContext context = Context();
  context.env = &env;
  context.clock = env.clock();
  DockerDriverOptions options;
  options.docker_host = "unix:///nonexistent/docker.sock";
  options.image_script = "/s/build-nginx-image.sh";
  options.image_cache_dir = "/cache";
  auto driver = DockerDriver::Create(context, options);
  ASSERT_TRUE(driver.ok()) << driver.status();
  absl::StatusOr<LaunchPlan> plan = (*driver)->Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->summary, HasSubstr("scalebench/nginx:feedface"));
  EXPECT_THAT(env.calls(), ElementsAre("run /s/build-nginx-image.sh --out "
                                       "/cache --print-tag"));
}

TEST(DockerDriverPlanTest, AFailingImageScriptSaysHowItEnded) {
  os::RecordingEnv env;
  env.OnRun("/s/build-nginx-image.sh", [](const std::vector<std::string>&) {
    os::ProgramOutput output;
    output.exit_code = 2;
    output.err = "apt-get: no such package\n";
    return output;
  });
  WorkerContext context = Context();
  context.env = &env;
  DockerDriverOptions options;
  options.docker_host = "unix:///nonexistent/docker.sock";
  options.image_script = "/s/build-nginx-image.sh";
  auto driver = DockerDriver::Create(context, options);
  ASSERT_TRUE(driver.ok()) << driver.status();
  absl::Status status = (*driver)->Plan(Launch()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(),
              HasSubstr("exited with status 2: apt-get: no such package"));
}

}  // namespace
}  // namespace scalebench::worker
