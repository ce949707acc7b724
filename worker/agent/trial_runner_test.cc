#include "worker/agent/trial_runner.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "worker/testing/fake_target_driver.h"

namespace scalebench::worker {
namespace {

using ::scalebench::worker::testing::FakeTargetDriver;

using ::testing::HasSubstr;

class TrialRunnerTest : public ::testing::Test {
 protected:
  TrialRunnerTest() {
    auto driver = std::make_unique<FakeTargetDriver>();
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
  FakeTargetDriver* driver_;
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
  EXPECT_TRUE(driver_->launches().empty());  // Planning starts nothing.
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

TEST_F(TrialRunnerTest, RunLocalMeasuresHowBusyEachOfTheHostsCoresWas) {
  TrialRunner runner(context_, &drivers_, {1, 0});
  absl::StatusOr<TrialOutcome> outcome = runner.RunLocal(Request(1));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  ASSERT_EQ(outcome->core_busy.size(), 2u);
  EXPECT_EQ(outcome->core_busy[0].cpu(), 0u);
  EXPECT_EQ(outcome->core_busy[1].cpu(), 1u);
  for (const v1::CoreBusy& core : outcome->core_busy) {
    EXPECT_GE(core.busy(), 0.0);
    EXPECT_LE(core.busy(), 1.0);
  }
}

TEST_F(TrialRunnerTest, UnreadableCpuCountersLeaveCoreUsageEmptyNotAFailure) {
  TrialRunner runner(context_, &drivers_, {0, 1});
  runner.TEST_set_proc_stat_path(::testing::TempDir() + "/no-such-proc-stat");
  absl::StatusOr<TrialOutcome> outcome = runner.RunLocal(Request(1));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->failure.has_value()) << outcome->failure->reason();
  ASSERT_TRUE(outcome->loadgen.has_value());
  EXPECT_GT(outcome->loadgen->requests(), 0u);
  EXPECT_TRUE(outcome->core_busy.empty());
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
