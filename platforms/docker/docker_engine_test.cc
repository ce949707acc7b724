// The docker driver against a real engine: a private dockerd under a temp
// dir (deploy/docker/private-dockerd.sh), the one ctest's docker_engine
// fixture started (SCALEBENCH_TEST_DOCKER_HOST), or else one this binary
// starts and stops itself. Every test's containers carry an owner of its
// own and are removed in TearDown, pass or fail. Needs root.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "loadgen/report.h"
#include "loadgen/runner.h"
#include "platforms/docker/docker_client.h"
#include "platforms/docker/docker_driver.h"
#include "tests/support/nginx_server.h"
#include "tests/support/run_command.h"
#include "worker/testing/load_check.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr absl::Duration kReadyTimeout = absl::Seconds(30);

// The engine every test uses.
std::string& EngineHost() {
  static std::string* host = new std::string;
  return *host;
}

// Starts a private dockerd unless ctest's fixture already did; stops the
// one it started after the last test.
class DockerEngineEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (geteuid() != 0) return;  // Every test skips.
    const char* host = std::getenv("SCALEBENCH_TEST_DOCKER_HOST");
    if (host != nullptr && *host != '\0') {
      EngineHost() = host;
      return;
    }
    char dir[] = "/tmp/sbd.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    const testing::Captured run = testing::RunCommand(
        absl::StrCat(SCALEBENCH_PRIVATE_DOCKERD, " start ", dir_, " 2>&1"));
    ASSERT_EQ(run.exit_code, 0) << run.out;
    EngineHost() = absl::StrCat("unix://", dir_, "/docker.sock");
  }
  void TearDown() override {
    if (dir_.empty()) return;
    testing::RunCommand(
        absl::StrCat(SCALEBENCH_PRIVATE_DOCKERD, " stop ", dir_, " 2>&1"));
    std::error_code error;
    std::filesystem::remove_all(dir_, error);
  }

 private:
  std::string dir_;
};

const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new DockerEngineEnvironment);

// One GET of http://ENDPOINT/: the status (0 when nothing answered) and
// the body.
long Get(const std::string& endpoint, std::string* body) {
  absl::StatusOr<HttpResponse> response =
      HttpGet(absl::StrCat("http://", endpoint, "/"), absl::Milliseconds(500));
  if (!response.ok()) return 0;
  body->append(response->body);
  return response->status;
}

// Polls until `endpoint` answers 2xx; the body of that answer. Fails the
// test after kReadyTimeout.
std::string WaitFor2xx(const std::string& endpoint) {
  const absl::Time deadline = absl::Now() + kReadyTimeout;
  while (absl::Now() < deadline) {
    std::string body;
    const long status = Get(endpoint, &body);
    if (status >= 200 && status < 300) return body;
    absl::SleepFor(absl::Milliseconds(5));
  }
  ADD_FAILURE() << endpoint << " did not answer 2xx in " << kReadyTimeout;
  return "";
}

// The first line of container `id`'s cgroup file: `v1_file` of the
// `controller` hierarchy on cgroup v1, `v2_file` on a unified (v2) host;
// "" when not found.
std::string CgroupValue(const std::string& controller, const std::string& id,
                        const std::string& v1_file,
                        const std::string& v2_file) {
  const bool unified =
      std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers");
  const std::filesystem::path root =
      unified ? "/sys/fs/cgroup" : "/sys/fs/cgroup/" + controller;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(root, error);
       !error && it != std::filesystem::recursive_directory_iterator();
       it.increment(error)) {
    const std::string name = it->path().filename();
    if (it->is_directory() &&
        (name == id || name == "docker-" + id + ".scope")) {
      std::ifstream in(it->path() / (unified ? v2_file : v1_file));
      std::string line;
      std::getline(in, line);
      return line;
    }
  }
  return "";
}

class DockerEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the docker tests need root";
    ASSERT_FALSE(EngineHost().empty());
    char dir[] = "/tmp/scalebench-docker-test.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    state_dir_ = dir;
    // Owners unique to this test, so tests running side by side (and
    // containers of other users of the engine) never meet.
    owner_ = absl::StrCat("scalebench-dt", getpid(), "-", ++counter_);
    driver_ = NewDriver(owner_);
    ASSERT_NE(driver_, nullptr);
    ASSERT_TRUE(driver_->CheckUsable().ok()) << driver_->CheckUsable();
  }

  void TearDown() override {
    // Remove every container this test made, whatever it asserted.
    for (const std::string& owner : owners_) {
      auto driver = NewDriver(owner);
      if (driver != nullptr) {
        EXPECT_TRUE(driver->Recover().ok());
      }
    }
    if (!state_dir_.empty()) {
      std::error_code error;
      std::filesystem::remove_all(state_dir_, error);
    }
  }

  std::unique_ptr<DockerDriver> NewDriver(const std::string& owner) {
    WorkerContext context;
    context.name = owner;
    context.state_dir = state_dir_;
    context.owner = owner;
    context.clock = Clock::Real();
    DockerDriverOptions options;
    options.docker_host = EngineHost();
    auto driver = DockerDriver::Create(context, options);
    EXPECT_TRUE(driver.ok()) << driver.status();
    if (!driver.ok()) return nullptr;
    if (std::find(owners_.begin(), owners_.end(), owner) == owners_.end()) {
      owners_.push_back(owner);
    }
    return std::move(*driver);
  }

  TargetLaunch Launch(const std::string& owner, int index, int cpu) {
    TargetLaunch launch;
    launch.id = absl::StrCat(owner, "-t", index);
    launch.index = index;
    launch.cpus = {cpu};
    launch.vcpus = 1;
    launch.memory_mb = 64;
    auto port = testing::PickFreePort();
    EXPECT_TRUE(port.ok()) << port.status();
    launch.port = port.ok() ? *port : 0;
    return launch;
  }

  // The last core: core 1 on this project's 2-core machines.
  static int LastCpu() {
    return std::max(0L, sysconf(_SC_NPROCESSORS_ONLN) - 1);
  }

  static int counter_;
  std::string state_dir_;
  std::string owner_;
  std::vector<std::string> owners_;
  std::unique_ptr<DockerDriver> driver_;
};

int DockerEngineTest::counter_ = 0;

TEST_F(DockerEngineTest, TwoTargetsOnDistinctPortsServeThePageSizeAsked) {
  TargetLaunch first = Launch(owner_, 0, 0);
  first.page_bytes = 1000;
  TargetLaunch second = Launch(owner_, 1, LastCpu());
  second.page_bytes = 4321;
  ASSERT_NE(first.port, second.port);

  const absl::Time started = absl::Now();
  auto a = driver_->Start(first);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(WaitFor2xx(a->endpoint).size(), 1000u);
  // Not asserted (no wall-clock thresholds in tests): reported.
  std::cout << "container start to first 2xx: " << (absl::Now() - started)
            << "\n";
  auto b = driver_->Start(second);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(WaitFor2xx(b->endpoint).size(), 4321u);
  EXPECT_EQ(a->endpoint, absl::StrCat("127.0.0.1:", first.port));

  auto ids = driver_->List();
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, ElementsAre(first.id, second.id));

  // Pinned and capped as asked.
  auto client = DockerClient::Create(EngineHost());
  ASSERT_TRUE(client.ok());
  auto info = (*client)->InspectContainer(second.id);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_TRUE(info->running);
  EXPECT_EQ(info->labels["scalebench.owner"], owner_);
  EXPECT_EQ(info->network_mode, "host");
  EXPECT_EQ(info->cpuset_cpus, absl::StrCat(LastCpu()));
  EXPECT_EQ(info->memory_bytes, 64 << 20);
  // And the cgroup the kernel enforces says so too.
  EXPECT_EQ(CgroupValue("cpuset", info->id, "cpuset.cpus", "cpuset.cpus"),
            absl::StrCat(LastCpu()));
  EXPECT_EQ(
      CgroupValue("memory", info->id, "memory.limit_in_bytes", "memory.max"),
      absl::StrCat(64 << 20));
}

TEST_F(DockerEngineTest, StopIsIdempotent) {
  TargetLaunch launch = Launch(owner_, 0, 0);
  auto target = driver_->Start(launch);
  ASSERT_TRUE(target.ok()) << target.status();
  WaitFor2xx(target->endpoint);

  EXPECT_TRUE(driver_->Stop(launch.id).ok());
  std::string body;
  EXPECT_EQ(Get(target->endpoint, &body), 0) << "still answers after Stop";
  auto ids = driver_->List();
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, IsEmpty());
  EXPECT_FALSE(std::filesystem::exists(state_dir_ + "/targets/" + launch.id));

  EXPECT_TRUE(driver_->Stop(launch.id).ok()) << "a second Stop";
  EXPECT_TRUE(driver_->Stop(owner_ + "-t99").ok()) << "a target never started";
}

TEST_F(DockerEngineTest, StartingANameInUseFailsAndKeepsTheRunningOne) {
  TargetLaunch launch = Launch(owner_, 0, 0);
  auto target = driver_->Start(launch);
  ASSERT_TRUE(target.ok()) << target.status();
  auto again = driver_->Start(launch);
  EXPECT_TRUE(absl::IsAlreadyExists(again.status())) << again.status();
  WaitFor2xx(target->endpoint);
}

TEST_F(DockerEngineTest, RecoverRemovesAnEarlierWorkersContainersOnly) {
  // An earlier life of this worker left two containers (one stopped), and
  // another worker runs one of its own on the same engine.
  TargetLaunch first = Launch(owner_, 0, 0);
  TargetLaunch second = Launch(owner_, 1, 0);
  ASSERT_TRUE(driver_->Start(first).ok());
  ASSERT_TRUE(driver_->Start(second).ok());
  auto client = DockerClient::Create(EngineHost());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->StopContainer(second.id, absl::Seconds(1)).ok());
  const std::string other_owner = owner_ + "x";
  auto other = NewDriver(other_owner);
  TargetLaunch others = Launch(other_owner, 0, 0);
  auto other_target = other->Start(others);
  ASSERT_TRUE(other_target.ok()) << other_target.status();
  driver_.reset();

  auto restarted = NewDriver(owner_);
  EXPECT_TRUE(restarted->Recover().ok());
  auto ids = restarted->List();
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, IsEmpty());
  EXPECT_FALSE(std::filesystem::exists(state_dir_ + "/targets/" + first.id));
  EXPECT_TRUE(restarted->Recover().ok()) << "Recover twice";

  // The other worker's container is untouched, and ours cannot stop it.
  auto other_ids = other->List();
  ASSERT_TRUE(other_ids.ok());
  EXPECT_THAT(*other_ids, ElementsAre(others.id));
  EXPECT_TRUE(absl::IsFailedPrecondition(restarted->Stop(others.id)));
  EXPECT_EQ(WaitFor2xx(other_target->endpoint).size(), 612u);
}

TEST_F(DockerEngineTest, LoadgenAgainstAContainerCountsRequestsAndNoErrors) {
  TargetLaunch launch = Launch(owner_, 0, LastCpu());
  auto target = driver_->Start(launch);
  ASSERT_TRUE(target.ok()) << target.status();
  WaitFor2xx(target->endpoint);

  ExpectLoadWithoutErrors(target->endpoint, absl::Seconds(1));
}

}  // namespace
}  // namespace scalebench::worker
