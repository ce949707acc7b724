#include "worker/agent/worker_metrics.h"

#include <prometheus/text_serializer.h>

#include <string>

#include "common/proto_time.h"
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
  ok.mutable_loadgen()->set_requests(5100);  // 100 of them 404s.
  ok.mutable_loadgen()->mutable_status_classes()->set_status_2xx(5000);
  ok.mutable_loadgen()->mutable_status_classes()->set_status_4xx(100);
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

TEST(WorkerMetricsTest, TheLastSkewAndObservedSpreadAreShown) {
  WorkerMetrics metrics;
  v1::WorkerResult loaded;
  loaded.mutable_loadgen()->mutable_start_skew()->set_nanos(-250'000);
  loaded.mutable_loadgen()->mutable_start_skew_uncertainty()->set_nanos(40'000);
  metrics.RecordResult(loaded);
  v1::WorkerResult front;
  for (int64_t nanos : {1'000'700'000, 1'000'000'000, 1'000'300'000}) {
    *front.add_observed_starts()->mutable_first_request() =
        TimeToProto(absl::FromUnixNanos(nanos));
  }
  metrics.RecordResult(front);
  const std::string text = Text(metrics);
  EXPECT_THAT(text,
              HasSubstr("scalebench_worker_last_start_skew_seconds -0.00025"));
  EXPECT_THAT(
      text,
      HasSubstr("scalebench_worker_last_start_skew_uncertainty_seconds 4e-05"));
  EXPECT_THAT(
      text,
      HasSubstr("scalebench_worker_last_observed_start_spread_seconds 0.0007"));
}

}  // namespace
}  // namespace scalebench::worker
