#include "worker/agent/trial_runner.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

using ::testing::HasSubstr;

// A keep-alive HTTP/1.1 server in this process answering GET with `body`:
// the stand-in for an nginx target, so the runner's logic is tested
// without a platform.
class InProcessServer {
 public:
  InProcessServer(uint16_t port, size_t body_bytes) : body_(body_bytes, 'x') {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
          listen(fd_, 64) == 0;
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~InProcessServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    accept_thread_.join();
    for (std::thread& t : connections_) t.join();
  }
  bool ok() const { return ok_; }

 private:
  void AcceptLoop() {
    while (!stop_) {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      connections_.emplace_back([this, c] { Serve(c); });
    }
  }
  void Serve(int c) {
    const std::string response = absl::StrCat(
        "HTTP/1.1 200 OK\r\nContent-Length: ", body_.size(), "\r\n\r\n", body_);
    std::string pending;
    char buffer[4096];
    while (!stop_) {
      const ssize_t n = recv(c, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      pending.append(buffer, static_cast<size_t>(n));
      size_t end;
      while ((end = pending.find("\r\n\r\n")) != std::string::npos) {
        pending.erase(0, end + 4);
        if (send(c, response.data(), response.size(), MSG_NOSIGNAL) < 0) break;
      }
    }
    close(c);
  }

  std::string body_;
  int fd_ = -1;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  std::vector<std::thread> connections_;
};

// A TargetDriver whose targets are InProcessServers. `fail_index` makes
// that target's start fail; `silent` starts targets that never answer.
class FakeDriver final : public TargetDriver {
 public:
  v1::Platform platform() const override { return v1::PLATFORM_NATIVE; }
  absl::Status CheckUsable() override { return absl::OkStatus(); }
  absl::Status Recover() override { return absl::OkStatus(); }
  absl::StatusOr<LaunchPlan> Plan(const TargetLaunch& launch) override {
    LaunchPlan plan;
    plan.summary = absl::StrCat("fake target ", launch.index);
    return plan;
  }
  absl::StatusOr<Target> Start(const TargetLaunch& launch) override {
    if (launch.index == fail_index) {
      return absl::InternalError("nginx exited with status 1");
    }
    absl::MutexLock lock(&mu_);
    if (!silent) {
      servers_[launch.id] =
          std::make_unique<InProcessServer>(launch.port, launch.page_bytes);
    }
    running_.insert(launch.id);
    launches_.push_back(launch);
    return Target{launch.id,
                  absl::StrCat(launch.listen_address, ":", launch.port)};
  }
  absl::Status Stop(const std::string& id) override {
    absl::MutexLock lock(&mu_);
    servers_.erase(id);
    running_.erase(id);
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<std::string>> List() override {
    absl::MutexLock lock(&mu_);
    return std::vector<std::string>(running_.begin(), running_.end());
  }

  int fail_index = -1;
  bool silent = false;
  std::vector<TargetLaunch> launches_;

 private:
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<InProcessServer>> servers_;
  std::set<std::string> running_;
};

class TrialRunnerTest : public ::testing::Test {
 protected:
  TrialRunnerTest() {
    auto driver = std::make_unique<FakeDriver>();
    driver_ = driver.get();
    drivers_.AddTarget(std::move(driver));
    context_.name = "test";
    context_.owner = "scalebench-test";
    context_.state_dir = ::testing::TempDir();
  }

  TrialRequest Request(uint32_t instances) {
    TrialRequest request;
    request.configuration.set_platform(v1::PLATFORM_NATIVE);
    request.configuration.set_instances(instances);
    request.configuration.set_balancer(v1::BALANCER_KIND_NONE);
    request.configuration.set_vcpus(1);
    request.configuration.set_keepalive(true);
    request.configuration.set_connections(4);
    request.service.set_page_bytes(100);
    request.load.mutable_duration()->set_nanos(300'000'000);
    request.load.set_threads(1);
    request.prepare_timeout = absl::Seconds(5);
    return request;
  }

  WorkerContext context_;
  DriverSet drivers_;
  FakeDriver* driver_;
};

TEST_F(TrialRunnerTest, PlanGivesEveryTargetItsCoresPortAndId) {
  TrialRunner runner(context_, &drivers_, {0, 1, 2, 3});
  absl::StatusOr<TrialPlan> plan = runner.Plan(Request(3));
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->targets.size(), 3u);
  EXPECT_FALSE(plan->cores.overcommitted);
  EXPECT_EQ(plan->targets[0].id, "scalebench-test-t0");
  EXPECT_EQ(plan->targets[2].id, "scalebench-test-t2");
  EXPECT_EQ(plan->targets[0].cpus, std::vector<int>{1});
  EXPECT_EQ(plan->targets[2].cpus, std::vector<int>{3});
  EXPECT_EQ(plan->load.cpus, std::vector<int>{0});
  EXPECT_NE(plan->targets[0].port, plan->targets[1].port);
  EXPECT_EQ(plan->targets[0].memory_mb, 64u);
  // Without a balancer the load is spread over the targets themselves.
  ASSERT_EQ(plan->load.urls.size(), 3u);
  EXPECT_EQ(plan->load.urls[1],
            absl::StrCat("http://127.0.0.1:", plan->targets[1].port, "/"));
  EXPECT_EQ(plan->load.connections, 4u);
  EXPECT_EQ(plan->launch_plans.size(), 3u);
  EXPECT_TRUE(driver_->launches_.empty());  // Planning starts nothing.
}

TEST_F(TrialRunnerTest, FourInstancesOnTwoCoresAreOvercommitted) {
  TrialRunner runner(context_, &drivers_, {0, 1});
  absl::StatusOr<TrialPlan> plan = runner.Plan(Request(4));
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->cores.overcommitted);
}

TEST_F(TrialRunnerTest, RunLocalMeasuresAndLeavesNothingRunning) {
  TrialRunner runner(context_, &drivers_, {0, 1});
  absl::StatusOr<TrialOutcome> outcome = runner.RunLocal(Request(2));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->failure.has_value()) << outcome->failure->reason();
  ASSERT_TRUE(outcome->loadgen.has_value());
  EXPECT_GT(outcome->loadgen->requests(), 0u);
  EXPECT_EQ(outcome->loadgen->errors().connect() +
                outcome->loadgen->errors().read() +
                outcome->loadgen->errors().status(),
            0u);
  EXPECT_EQ(outcome->environment.pinning().at("target/1"), "0");
  EXPECT_TRUE(driver_->List()->empty());
}

TEST_F(TrialRunnerTest, ATargetThatFailsToStartFailsTheTrialAndStopsTheRest) {
  driver_->fail_index = 1;
  TrialRunner runner(context_, &drivers_, {0, 1});
  absl::StatusOr<TrialOutcome> outcome = runner.RunLocal(Request(3));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  ASSERT_TRUE(outcome->failure.has_value());
  EXPECT_EQ(outcome->failure->kind(), v1::FAILURE_KIND_TARGET_START);
  EXPECT_THAT(outcome->failure->reason(), HasSubstr("target 1: nginx exited"));
  EXPECT_FALSE(outcome->loadgen.has_value());
  EXPECT_TRUE(driver_->List()->empty());
}

TEST_F(TrialRunnerTest, ATargetThatNeverAnswersFailsAfterTheTimeout) {
  driver_->silent = true;
  TrialRunner runner(context_, &drivers_, {0, 1});
  TrialRequest request = Request(1);
  request.prepare_timeout = absl::Milliseconds(300);
  absl::StatusOr<TrialOutcome> outcome = runner.RunLocal(request);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  ASSERT_TRUE(outcome->failure.has_value());
  EXPECT_EQ(outcome->failure->kind(), v1::FAILURE_KIND_TARGET_START);
  EXPECT_THAT(outcome->failure->reason(), HasSubstr("did not answer HTTP"));
  EXPECT_TRUE(driver_->List()->empty());
}

TEST_F(TrialRunnerTest, APlatformWithoutADriverIsRefusedBeforeAnythingStarts) {
  TrialRunner runner(context_, &drivers_, {0, 1});
  TrialRequest request = Request(1);
  request.configuration.set_platform(v1::PLATFORM_DOCKER);
  absl::StatusOr<TrialPlan> plan = runner.Plan(request);
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(plan.status().message(), HasSubstr("docker"));
  request.configuration.set_platform(v1::PLATFORM_NATIVE);
  request.configuration.set_balancer(v1::BALANCER_KIND_HAPROXY);
  EXPECT_THAT(runner.Plan(request).status().message(), HasSubstr("haproxy"));
}

}  // namespace
}  // namespace scalebench::worker
