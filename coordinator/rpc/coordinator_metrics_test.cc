// The coordinator's metrics against a real store in a temp dir and a real
// worker registry, read as Prometheus reads them: over HTTP from a real
// endpoint; and through a whole in-process coordinator that a raw
// Synchronize call reaches.
#include "coordinator/rpc/coordinator_metrics.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/fake_clock.h"
#include "common/grpc_channel.h"
#include "common/http_client.h"
#include "common/metrics_endpoint.h"
#include "coordinator/rpc/server.h"
#include "coordinator/store/stores_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scalebench/v1/worker.grpc.pb.h"
#include "tests/support/synchronize_call.h"

namespace scalebench::coordinator {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSpecYaml[] = R"yaml(
name: metrics-test
repetitions: 1
loadgen:
  duration: 1s
sweep:
  instances: [1, 2]
)yaml";

// The body of GET http://address/metrics; empty when the request fails.
std::string Scrape(const std::string& address) {
  absl::StatusOr<HttpResponse> response =
      HttpGet(absl::StrCat("http://", address, "/metrics"));
  return response.ok() ? response->body : "";
}

v1::ExperimentSpec Spec() { return SpecFromYaml(kSpecYaml); }

class CoordinatorMetricsTest : public StoresTest {
 protected:
  void SetUp() override {
    StoresTest::SetUp();
    if (HasFatalFailure()) return;
    registry_ = std::make_unique<WorkerRegistry>(store_.get(), &clock_);
    metrics_ =
        std::make_shared<CoordinatorMetrics>(store_.get(), registry_.get());
    absl::StatusOr<std::unique_ptr<MetricsEndpoint>> endpoint =
        MetricsEndpoint::Start({"127.0.0.1:0", false}, {metrics_});
    ASSERT_TRUE(endpoint.ok()) << endpoint.status();
    endpoint_ = *std::move(endpoint);
  }
  void TearDown() override {
    endpoint_.reset();
    metrics_.reset();
    if (registry_) registry_->Shutdown();
    registry_.reset();
    StoresTest::TearDown();
  }
  std::string Scrape() { return coordinator::Scrape(endpoint_->address()); }

  std::unique_ptr<WorkerRegistry> registry_;
  std::shared_ptr<CoordinatorMetrics> metrics_;
  std::unique_ptr<MetricsEndpoint> endpoint_;
};

TEST_F(CoordinatorMetricsTest, AnEmptyStoreHasEveryStateAtZero) {
  const std::string text = Scrape();
  EXPECT_THAT(text, HasSubstr("# TYPE scalebench_experiments gauge"));
  EXPECT_THAT(text, HasSubstr("scalebench_experiments{state=\"pending\"} 0"));
  EXPECT_THAT(text, HasSubstr("scalebench_experiments{state=\"cancelled\"} 0"));
  EXPECT_THAT(text, HasSubstr("scalebench_trials{state=\"queued\"} 0"));
  EXPECT_THAT(text,
              HasSubstr("# TYPE scalebench_attempts_failed_total counter"));
  EXPECT_THAT(
      text, HasSubstr("scalebench_attempts_failed_total{kind=\"loadgen\"} 0"));
  EXPECT_THAT(text, HasSubstr("scalebench_workers{status=\"idle\"} 0"));
  EXPECT_THAT(text,
              HasSubstr("scalebench_synchronize_handling_seconds_count 0"));
  EXPECT_THAT(text, Not(HasSubstr("unspecified")));
}

TEST_F(CoordinatorMetricsTest, CountsFollowTheStore) {
  absl::StatusOr<v1::Experiment> experiment =
      store_->experiments().CreateExperiment(Spec(), "", "", 1);
  ASSERT_TRUE(experiment.ok()) << experiment.status();
  ASSERT_TRUE(store_->experiments().CreateExperiment(Spec(), "", "", 2).ok());
  std::string text = Scrape();
  EXPECT_THAT(text, HasSubstr("scalebench_experiments{state=\"pending\"} 2"));
  EXPECT_THAT(text, HasSubstr("scalebench_trials{state=\"queued\"} 4"));

  // Trial 0 of the first experiment: one attempt fails (loadgen), the
  // trial is queued again; a second attempt fails (timeout) for good.
  const std::string trial = experiment->name() + "/trials/0";
  int number = 0;
  for (auto [kind, next] :
       {std::pair{v1::FAILURE_KIND_LOADGEN, v1::TRIAL_STATE_QUEUED},
        std::pair{v1::FAILURE_KIND_TIMEOUT, v1::TRIAL_STATE_FAILED}}) {
    absl::StatusOr<v1::Attempt> attempt =
        store_->trials().StartAttempt(trial, {});
    ASSERT_TRUE(attempt.ok()) << attempt.status();
    v1::AttemptKey key;
    key.set_trial(trial);
    key.set_attempt(++number);
    v1::Failure failure;
    failure.set_kind(kind);
    failure.set_reason("test");
    ASSERT_TRUE(store_->trials()
                    .EndAttempt(key, failure, nullptr, next, "failed")
                    .ok());
  }
  text = Scrape();
  EXPECT_THAT(text, HasSubstr("scalebench_experiments{state=\"pending\"} 1"));
  EXPECT_THAT(text, HasSubstr("scalebench_experiments{state=\"running\"} 1"));
  EXPECT_THAT(text, HasSubstr("scalebench_trials{state=\"queued\"} 3"));
  EXPECT_THAT(text, HasSubstr("scalebench_trials{state=\"failed\"} 1"));
  EXPECT_THAT(
      text, HasSubstr("scalebench_attempts_failed_total{kind=\"loadgen\"} 1"));
  EXPECT_THAT(
      text, HasSubstr("scalebench_attempts_failed_total{kind=\"timeout\"} 1"));
  EXPECT_THAT(
      text,
      HasSubstr("scalebench_attempts_failed_total{kind=\"target_start\"} 0"));
}

TEST_F(CoordinatorMetricsTest, WorkersByStatusAndLostFromTheRegistry) {
  v1::HostFacts facts;
  ASSERT_TRUE(store_->workers()
                  .UpsertWorker("host-a", "s1", facts, clock_.Wall())
                  .ok());
  ASSERT_TRUE(store_->workers()
                  .UpsertWorker("host-b", "s1", facts, clock_.Wall())
                  .ok());
  ASSERT_TRUE(
      store_->workers().SetWorkerStatus("host-b", v1::WORKER_STATUS_BUSY).ok());
  std::string text = Scrape();
  EXPECT_THAT(text, HasSubstr("scalebench_workers{status=\"idle\"} 1"));
  EXPECT_THAT(text, HasSubstr("scalebench_workers{status=\"busy\"} 1"));
  EXPECT_THAT(text, HasSubstr("scalebench_workers{status=\"lost\"} 0"));
  // The registry learns of them (Recover), and expires them as lost.
  ASSERT_TRUE(registry_->Recover().ok());
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(registry_->ExpireLost(clock_.Wall()).size(), 2u);
  text = Scrape();
  EXPECT_THAT(text, HasSubstr("scalebench_workers{status=\"lost\"} 2"));
  EXPECT_THAT(text, HasSubstr("scalebench_workers{status=\"idle\"} 0"));
}

TEST_F(CoordinatorMetricsTest, TheLastVerdictOfEachSchedule) {
  ASSERT_TRUE(store_->schedules().CreateSchedule(DailySchedule(Spec())).ok());
  std::string text = Scrape();
  // No run yet: every verdict 0.
  EXPECT_THAT(text, HasSubstr("scalebench_schedule_last_verdict{schedule="
                              "\"nightly\",verdict=\"failed\"} 0"));
  Firing firing;
  firing.manual = true;
  absl::StatusOr<v1::ScheduleRun> run =
      store_->schedules().FireSchedule("nightly", firing);
  ASSERT_TRUE(run.ok()) << run.status();
  absl::StatusOr<std::vector<v1::ScheduleRun>> runs =
      store_->schedules().ListScheduleRuns("nightly");
  ASSERT_TRUE(runs.ok());
  ASSERT_TRUE(store_->schedules()
                  .JudgeRun("nightly", 1, "failed", "cancelled", {})
                  .ok());
  text = Scrape();
  EXPECT_THAT(text, HasSubstr("scalebench_schedule_last_verdict{schedule="
                              "\"nightly\",verdict=\"failed\"} 1"));
  EXPECT_THAT(text, HasSubstr("scalebench_schedule_last_verdict{schedule="
                              "\"nightly\",verdict=\"regression\"} 0"));
}

TEST_F(CoordinatorMetricsTest, SynchronizeHandlingTimesAreAHistogram) {
  metrics_->ObserveSynchronize(absl::Microseconds(70));
  metrics_->ObserveSynchronize(absl::Milliseconds(3));
  const std::string text = Scrape();
  EXPECT_THAT(text,
              HasSubstr("scalebench_synchronize_handling_seconds_count 2"));
  EXPECT_THAT(text, HasSubstr("scalebench_synchronize_handling_seconds_bucket{"
                              "le=\"0.0001\"} 1"));
  EXPECT_THAT(text, HasSubstr("scalebench_synchronize_handling_seconds_bucket{"
                              "le=\"0.005\"} 2"));
}

// The whole coordinator: a worker's Synchronize call shows up as a
// handling time, an idle worker and its clock offset.
class CoordinatorServerMetricsTest : public StoreFileTest {
 protected:
  // A whole coordinator on 127.0.0.1:0 with its store at path_, serving
  // metrics at `metrics_listen`.
  ServerOptions Options(const std::string& metrics_listen) {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.db = path_;
    options.metrics.listen = metrics_listen;
    return options;
  }
};

TEST_F(CoordinatorServerMetricsTest, ASynchronizeCallIsMeasured) {
  ServerOptions options = Options("127.0.0.1:0");
  options.registry.hold = absl::Milliseconds(100);
  options.shutdown_grace = absl::Seconds(1);
  absl::StatusOr<std::unique_ptr<CoordinatorServer>> server =
      CoordinatorServer::Start(options, Clock::Real());
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_FALSE((*server)->metrics_address().empty());
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel((*server)->address(), TransportSecurity{});
  ASSERT_TRUE(channel.ok()) << channel.status();
  const grpc::Status first = testing::SynchronizeIdle(*channel, "host-a");
  ASSERT_TRUE(first.ok()) << first.error_message();
  // Both ends on one clock: an offset near 0.
  v1::ClockSample sample;
  const absl::Time now = absl::Now();
  for (auto* t : {sample.mutable_t1(), sample.mutable_t2(), sample.mutable_t3(),
                  sample.mutable_t4()}) {
    t->set_seconds(absl::ToUnixSeconds(now));
  }
  const grpc::Status second =
      testing::SynchronizeIdle(*channel, "host-a", &sample);
  ASSERT_TRUE(second.ok()) << second.error_message();
  const std::string text = Scrape((*server)->metrics_address());
  EXPECT_THAT(text,
              HasSubstr("scalebench_synchronize_handling_seconds_count 2"));
  EXPECT_THAT(text, HasSubstr("scalebench_workers{status=\"idle\"} 1"));
  EXPECT_THAT(text, HasSubstr("scalebench_worker_clock_offset_seconds{worker="
                              "\"host-a\"} 0"));
  EXPECT_THAT(text, HasSubstr("# TYPE process_open_fds gauge"));
  (*server)->Shutdown();
  EXPECT_EQ(Scrape((*server)->metrics_address()), "");
  server->reset();
}

TEST_F(CoordinatorServerMetricsTest, ARemoteMetricsAddressIsRefused) {
  absl::StatusOr<std::unique_ptr<CoordinatorServer>> server =
      CoordinatorServer::Start(Options("0.0.0.0:0"), Clock::Real());
  EXPECT_TRUE(absl::IsInvalidArgument(server.status())) << server.status();
  EXPECT_THAT(server.status().message(), HasSubstr("metrics-listen"));
}

}  // namespace
}  // namespace scalebench::coordinator
