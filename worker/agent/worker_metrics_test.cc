#include "worker/agent/worker_metrics.h"

#include <prometheus/text_serializer.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

using ::testing::HasSubstr;

std::string Text(const WorkerMetrics& metrics) {
  return prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
}

TEST(WorkerMetricsTest, ExchangesSetSynchronizingAndCountFailures) {
  WorkerMetrics metrics;
  EXPECT_THAT(Text(metrics), HasSubstr("scalebench_worker_synchronizing 0"));
  metrics.RecordExchange(absl::OkStatus());
  EXPECT_THAT(Text(metrics), HasSubstr("scalebench_worker_synchronizing 1"));
  metrics.RecordExchange(absl::UnavailableError("down"));
  metrics.RecordExchange(absl::UnavailableError("down"));
  const std::string text = Text(metrics);
  EXPECT_THAT(text, HasSubstr("scalebench_worker_synchronizing 0"));
  EXPECT_THAT(text,
              HasSubstr("scalebench_worker_synchronize_failures_total 2"));
}

TEST(WorkerMetricsTest, ResultsCountByOutcomeAndSetTheLastRate) {
  WorkerMetrics metrics;
  EXPECT_THAT(
      Text(metrics),
      HasSubstr("scalebench_worker_trials_total{outcome=\"succeeded\"} 0"));
  v1::WorkerResult ok;
  ok.mutable_loadgen()->set_requests(5000);
  ok.mutable_loadgen()->mutable_duration()->set_seconds(2);
  metrics.RecordResult(ok);
  v1::WorkerResult failed;
  failed.mutable_failure()->set_kind(v1::FAILURE_KIND_TARGET_START);
  metrics.RecordResult(failed);
  metrics.RecordResult(failed);
  const std::string text = Text(metrics);
  EXPECT_THAT(
      text,
      HasSubstr("scalebench_worker_trials_total{outcome=\"succeeded\"} 1"));
  EXPECT_THAT(
      text,
      HasSubstr("scalebench_worker_trials_total{outcome=\"target_start\"} 2"));
  EXPECT_THAT(
      text, HasSubstr("scalebench_worker_last_trial_requests_per_second 2500"));
}

}  // namespace
}  // namespace scalebench::worker
