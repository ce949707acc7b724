#include "results/trial_result.h"

#include <string>
#include <vector>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::results {
namespace {

using ::testing::HasSubstr;

v1::LoadgenResult Loadgen(uint64_t requests, uint64_t bytes, int64_t duration_s,
                          int64_t cpu_ms, int cpus, int32_t skew_ms) {
  v1::LoadgenResult r;
  r.set_mode(v1::LOAD_MODE_CLOSED);
  r.set_requests(requests);
  r.mutable_status_classes()->set_status_2xx(requests);
  r.set_bytes_received(bytes);
  v1::LatencyHistogram* h = r.mutable_latency();
  h->set_sub_bucket_bits(7);
  h->set_highest_trackable_ns(1'000'000);
  h->add_bucket_index(100);
  h->add_bucket_count(1);
  h->set_count(1);
  h->set_sum_ns(100);
  h->set_min_ns(100);
  h->set_max_ns(100);
  r.mutable_start_time()->set_seconds(1000);
  r.mutable_duration()->set_seconds(duration_s);
  r.mutable_cpu_user()->set_seconds(cpu_ms / 1000);
  r.mutable_cpu_user()->set_nanos(static_cast<int32_t>(cpu_ms % 1000) *
                                  1'000'000);
  for (int c = 0; c < cpus; ++c) r.add_cpus(c);
  r.mutable_start_skew()->set_nanos(skew_ms * 1'000'000);
  return r;
}

v1::WorkerResult Worker(std::string id, std::optional<v1::LoadgenResult> l) {
  v1::WorkerResult w;
  w.mutable_key()->set_trial("experiments/exp-000001/trials/3");
  w.mutable_key()->set_attempt(1);
  w.set_worker_id(std::move(id));
  if (l.has_value()) {
    *w.mutable_loadgen() = *std::move(l);
    w.mutable_loadgen()->set_source(w.worker_id());
  }
  return w;
}

v1::AttemptKey Key() {
  v1::AttemptKey key;
  key.set_trial("experiments/exp-000001/trials/3");
  key.set_attempt(1);
  return key;
}

// w2 measured 1000 requests and 1,024,000 bytes over 10 s; w1 600 requests
// and 307,200 bytes over 4 s. Rate = 1000/10 + 600/4 = 100 + 150 = 250
// req/s (not 1600 over the common 4 s = 400); transfer = 1000/10 + 300/4 =
// 100 + 75 = 175 KB/s.
TEST(MakeTrialResultTest, RateIsTheSumOfEachGeneratorsOwnRate) {
  v1::Configuration configuration;
  configuration.set_index(2);
  absl::StatusOr<v1::TrialResult> trial =
      MakeTrialResult(Key(), configuration, 4,
                      {Worker("w2", Loadgen(1000, 1'024'000, 10, 1000, 2, 2)),
                       Worker("w1", Loadgen(600, 307'200, 4, 1000, 1, -5)),
                       Worker("w0", std::nullopt)});
  ASSERT_TRUE(trial.ok()) << trial.status();
  EXPECT_DOUBLE_EQ(trial->requests_per_s(), 250);
  EXPECT_DOUBLE_EQ(trial->transfer_kb_per_s(), 175);
  EXPECT_EQ(trial->merged().requests(), 1600u);
  EXPECT_EQ(trial->merged().duration().seconds(), 4);
  EXPECT_EQ(trial->merged().source(), "w1,w2");
  EXPECT_EQ(trial->max_start_skew().nanos(), 5'000'000);
  EXPECT_FALSE(trial->loadgen_saturated());
  EXPECT_EQ(trial->repetition(), 4u);
  EXPECT_EQ(trial->configuration().index(), 2u);
  EXPECT_EQ(trial->key().attempt(), 1u);
  ASSERT_EQ(trial->raw_size(), 3);
  EXPECT_EQ(trial->raw(0).worker_id(), "w0");
  EXPECT_EQ(trial->raw(1).worker_id(), "w1");
  EXPECT_EQ(trial->raw(2).worker_id(), "w2");
}

// w1 opened 5 ms early (± 100 us), w2 2 ms late (± 300 us).
std::vector<v1::WorkerResult> TwoSkewedGenerators() {
  v1::WorkerResult w1 = Worker("w1", Loadgen(600, 1, 4, 1000, 1, -5));
  w1.mutable_loadgen()->mutable_start_skew_uncertainty()->set_nanos(100'000);
  v1::WorkerResult w2 = Worker("w2", Loadgen(1000, 1, 10, 1000, 2, 2));
  w2.mutable_loadgen()->mutable_start_skew_uncertainty()->set_nanos(300'000);
  return {w1, w2};
}

TEST(MakeTrialResultTest, TheMergedSkewKeepsItsSignAndItsUncertainty) {
  absl::StatusOr<v1::TrialResult> trial =
      MakeTrialResult(Key(), {}, 0, TwoSkewedGenerators());
  ASSERT_TRUE(trial.ok()) << trial.status();
  EXPECT_EQ(DurationFromProto(trial->merged().start_skew()),
            absl::Milliseconds(-5));
  EXPECT_EQ(DurationFromProto(trial->merged().start_skew_uncertainty()),
            absl::Microseconds(100));
  // 2 - (-5) = 7 ms apart, within 100 + 300 us.
  EXPECT_EQ(DurationFromProto(trial->estimated_start_spread()),
            absl::Milliseconds(7));
  EXPECT_EQ(DurationFromProto(trial->estimated_start_spread_uncertainty()),
            absl::Microseconds(400));
  // No host observed them.
  EXPECT_FALSE(trial->has_observed_start_spread());
}

TEST(MakeTrialResultTest, TheObservedSpreadNeedsEveryGeneratorSeen) {
  std::vector<v1::WorkerResult> raw = TwoSkewedGenerators();
  v1::WorkerResult front = Worker("w0", std::nullopt);
  v1::ObservedStart* w2 = front.add_observed_starts();
  w2->set_worker_id("w2");
  *w2->mutable_first_request() =
      TimeToProto(absl::FromUnixMicros(5'000'000'700));
  raw.push_back(front);
  absl::StatusOr<v1::TrialResult> partly = MakeTrialResult(Key(), {}, 0, raw);
  ASSERT_TRUE(partly.ok()) << partly.status();
  EXPECT_FALSE(partly->has_observed_start_spread());

  v1::ObservedStart* w1 = raw.back().add_observed_starts();
  w1->set_worker_id("w1");
  *w1->mutable_first_request() =
      TimeToProto(absl::FromUnixMicros(5'000'000'000));
  absl::StatusOr<v1::TrialResult> seen = MakeTrialResult(Key(), {}, 0, raw);
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(DurationFromProto(seen->observed_start_spread()),
            absl::Microseconds(700));
}

TEST(MakeTrialResultTest, NestedWhenAnyHostIsAVirtualMachine) {
  v1::WorkerResult balancer = Worker("w0", std::nullopt);
  v1::WorkerResult loadgen = Worker("w1", Loadgen(1, 1, 10, 1000, 2, 0));
  absl::StatusOr<v1::TrialResult> bare =
      MakeTrialResult(Key(), {}, 0, {balancer, loadgen});
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_FALSE(bare->nested());
  // Only the host that sent no load is nested: still a nested trial.
  balancer.mutable_environment()->set_nested(true);
  absl::StatusOr<v1::TrialResult> nested =
      MakeTrialResult(Key(), {}, 0, {balancer, loadgen});
  ASSERT_TRUE(nested.ok()) << nested.status();
  EXPECT_TRUE(nested->nested());
}

// 2 cores for 10 s: saturated above 0.9 x 20 s = 18 s of CPU.
TEST(MakeTrialResultTest, SaturatedAboveNinetyPercentOfItsCores) {
  absl::StatusOr<v1::TrialResult> below = MakeTrialResult(
      Key(), {}, 0, {Worker("w1", Loadgen(1, 1, 10, 17'900, 2, 0))});
  ASSERT_TRUE(below.ok()) << below.status();
  EXPECT_FALSE(below->loadgen_saturated());
  absl::StatusOr<v1::TrialResult> above =
      MakeTrialResult(Key(), {}, 0,
                      {Worker("w1", Loadgen(1, 1, 10, 1000, 2, 0)),
                       Worker("w2", Loadgen(1, 1, 10, 18'100, 2, 0))});
  ASSERT_TRUE(above.ok()) << above.status();
  EXPECT_TRUE(above->loadgen_saturated());
}

TEST(MakeTrialResultTest, RefusesAFailedWorker) {
  v1::WorkerResult failed = Worker("w2", std::nullopt);
  failed.mutable_failure()->set_reason("nginx exited");
  absl::StatusOr<v1::TrialResult> trial = MakeTrialResult(
      Key(), {}, 0, {Worker("w1", Loadgen(1, 1, 10, 0, 1, 0)), failed});
  EXPECT_EQ(trial.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(trial.status().message(),
              HasSubstr("raw[worker w2]: failure is set (nginx exited)"));
}

TEST(MakeTrialResultTest, RefusesAFailedLoadgenPart) {
  v1::LoadgenResult late = Loadgen(1, 1, 10, 0, 1, 3000);
  late.mutable_failure()->set_kind(v1::FAILURE_KIND_LATE_START);
  absl::StatusOr<v1::TrialResult> trial =
      MakeTrialResult(Key(), {}, 0, {Worker("w1", late)});
  EXPECT_EQ(trial.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(MakeTrialResultTest, RefusesResultsWithoutALoadgenPart) {
  absl::StatusOr<v1::TrialResult> trial = MakeTrialResult(
      Key(), {}, 0, {Worker("w1", std::nullopt), Worker("w2", std::nullopt)});
  EXPECT_EQ(trial.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(trial.status().message(), HasSubstr("none of the 2"));
}

TEST(MakeTrialResultTest, RefusesAZeroDuration) {
  absl::StatusOr<v1::TrialResult> trial =
      MakeTrialResult(Key(), {}, 0, {Worker("w1", Loadgen(1, 1, 0, 0, 1, 0))});
  EXPECT_EQ(trial.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(trial.status().message(),
              HasSubstr("raw[worker w1]: loadgen.duration"));
}

// Throughput is successful responses only: a 404 answered fast is an
// error, not capacity.
TEST(MakeTrialResultTest, ThroughputCountsSuccessesAndTheErrorRateTheRest) {
  v1::LoadgenResult l = Loadgen(1000, 0, 10, 0, 1, 0);
  l.mutable_status_classes()->set_status_2xx(880);
  l.mutable_status_classes()->set_status_4xx(120);
  (*l.mutable_statuses())[200] = 880;
  (*l.mutable_statuses())[404] = 120;
  l.mutable_errors()->set_status(120);
  l.mutable_errors()->set_timeout(80);  // No response at all.
  absl::StatusOr<v1::TrialResult> t =
      MakeTrialResult(Key(), v1::Configuration(), 0, {Worker("w1", l)});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_DOUBLE_EQ(t->requests_per_s(), 88.0);
  // 120 statuses + 80 timeouts of 880 + 200 sent.
  EXPECT_DOUBLE_EQ(t->error_rate(), 200.0 / 1080.0);
}

}  // namespace
}  // namespace scalebench::results
