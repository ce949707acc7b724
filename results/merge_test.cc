#include "results/merge.h"

#include <google/protobuf/util/message_differencer.h>

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::results {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Load generator A: 100 ns twice and 300 ns once (bucket 278 =
// 2*128 + (300 >> 1) - 128), started 2 ms late, 10 s long.
v1::LoadgenResult ResultA() {
  v1::LoadgenResult r;
  r.set_source("w1");
  r.set_mode(v1::LOAD_MODE_CLOSED);
  r.set_requests(1000);
  r.mutable_status_classes()->set_status_2xx(990);
  r.mutable_status_classes()->set_status_5xx(10);
  r.mutable_errors()->set_connect(1);
  r.mutable_errors()->set_parse(2);
  r.mutable_errors()->set_status(10);
  r.mutable_errors()->mutable_parse_causes()->set_status_line(2);
  r.set_bytes_received(5000);
  r.set_bytes_sent(700);
  v1::LatencyHistogram* h = r.mutable_latency();
  h->set_sub_bucket_bits(7);
  h->set_highest_trackable_ns(1'000'000);
  h->add_bucket_index(100);
  h->add_bucket_count(2);
  h->add_bucket_index(278);
  h->add_bucket_count(1);
  h->set_count(3);
  h->set_sum_ns(500);
  h->set_sum_squares_ns2(110000);
  h->set_min_ns(100);
  h->set_max_ns(300);
  r.mutable_start_time()->set_seconds(1000);
  r.mutable_start_time()->set_nanos(2'000'000);
  r.mutable_duration()->set_seconds(10);
  r.mutable_cpu_user()->set_seconds(3);
  r.mutable_cpu_system()->set_seconds(1);
  r.add_cpus(2);
  r.add_cpus(3);
  r.mutable_start_skew()->set_nanos(2'000'000);
  r.set_connections(50);
  r.set_threads(2);
  r.set_target_rate(0);
  r.add_urls("http://a/");
  r.add_urls("http://b/");
  r.set_warmup_requests(40);
  for (uint32_t s : {0, 1, 2}) {
    v1::SecondSample* sample = r.add_series();
    sample->set_second(s);
    sample->set_requests(100 + s);
    sample->set_errors(1);
    sample->set_bytes(10);
    sample->set_latency_sum_ns(1000);
    sample->set_latency_max_ns(300 - s);
  }
  return r;
}

// Load generator B: 100 ns once and 5000 ns once (bucket 796 =
// 6*128 + (5000 >> 5) - 128), started 5 ms early, 10 s long.
v1::LoadgenResult ResultB() {
  v1::LoadgenResult r;
  r.set_source("w2");
  r.set_mode(v1::LOAD_MODE_CLOSED);
  r.set_requests(500);
  r.mutable_status_classes()->set_status_2xx(500);
  r.mutable_errors()->set_timeout(4);
  r.mutable_errors()->set_parse(1);
  r.mutable_errors()->mutable_parse_causes()->set_status_line(1);
  r.set_bytes_received(2500);
  r.set_bytes_sent(300);
  v1::LatencyHistogram* h = r.mutable_latency();
  h->set_sub_bucket_bits(7);
  h->set_highest_trackable_ns(1'000'000);
  h->add_bucket_index(100);
  h->add_bucket_count(1);
  h->add_bucket_index(796);
  h->add_bucket_count(1);
  h->set_count(2);
  h->set_sum_ns(5100);
  h->set_sum_squares_ns2(25010000);
  h->set_min_ns(100);
  h->set_max_ns(5000);
  r.mutable_start_time()->set_seconds(999);
  r.mutable_start_time()->set_nanos(995'000'000);
  r.mutable_duration()->set_seconds(10);
  r.mutable_cpu_user()->set_seconds(2);
  r.mutable_cpu_system()->set_nanos(500'000'000);
  r.add_cpus(4);
  r.mutable_start_skew()->set_nanos(-5'000'000);
  r.set_connections(50);
  r.set_threads(1);
  r.add_urls("http://b/");
  r.add_urls("http://c/");
  r.set_warmup_requests(10);
  for (uint32_t s : {1, 2, 3}) {
    v1::SecondSample* sample = r.add_series();
    sample->set_second(s);
    sample->set_requests(50);
    sample->set_errors(2);
    sample->set_bytes(5);
    sample->set_latency_sum_ns(400);
    sample->set_latency_max_ns(5000);
  }
  return r;
}

TEST(MergeLoadgenResultsTest, SumsCountersAndMergesHistogramsBucketWise) {
  absl::StatusOr<v1::LoadgenResult> merged =
      MergeLoadgenResults({ResultA(), ResultB()});
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->source(), "w1,w2");
  EXPECT_EQ(merged->mode(), v1::LOAD_MODE_CLOSED);
  EXPECT_EQ(merged->requests(), 1500u);
  EXPECT_EQ(merged->status_classes().status_2xx(), 1490u);
  EXPECT_EQ(merged->status_classes().status_5xx(), 10u);
  EXPECT_EQ(merged->errors().connect(), 1u);
  EXPECT_EQ(merged->errors().timeout(), 4u);
  EXPECT_EQ(merged->errors().parse(), 3u);
  EXPECT_EQ(merged->errors().status(), 10u);
  EXPECT_EQ(merged->errors().parse_causes().status_line(), 3u);
  EXPECT_EQ(merged->bytes_received(), 7500u);
  EXPECT_EQ(merged->bytes_sent(), 1000u);
  EXPECT_EQ(merged->warmup_requests(), 50u);
  EXPECT_EQ(merged->connections(), 100u);
  EXPECT_EQ(merged->threads(), 3u);
  EXPECT_EQ(merged->cpu_user().seconds(), 5);
  EXPECT_EQ(merged->cpu_system().seconds(), 1);
  EXPECT_EQ(merged->cpu_system().nanos(), 500'000'000);
  EXPECT_THAT(merged->cpus(), ElementsAre(2, 3, 4));
  EXPECT_THAT(merged->urls(),
              ElementsAre("http://a/", "http://b/", "http://c/"));

  const v1::LatencyHistogram& h = merged->latency();
  EXPECT_EQ(h.sub_bucket_bits(), 7u);
  EXPECT_THAT(h.bucket_index(), ElementsAre(100, 278, 796));
  EXPECT_THAT(h.bucket_count(), ElementsAre(3, 1, 1));
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.sum_ns(), 5600u);
  EXPECT_DOUBLE_EQ(h.sum_squares_ns2(), 25120000);
  EXPECT_EQ(h.min_ns(), 100u);
  EXPECT_EQ(h.max_ns(), 5000u);
}

// A starts at 1000.002 s, B at 999.995 s, both for 10 s: the common window
// is [1000.002, 1009.995], 9.993 s; the skew of largest magnitude is B's
// -5 ms; only seconds 1 and 2 are in both series.
TEST(MergeLoadgenResultsTest, KeepsTheCommonWindow) {
  absl::StatusOr<v1::LoadgenResult> merged =
      MergeLoadgenResults({ResultA(), ResultB()});
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->start_time().seconds(), 1000);
  EXPECT_EQ(merged->start_time().nanos(), 2'000'000);
  EXPECT_EQ(merged->duration().seconds(), 9);
  EXPECT_EQ(merged->duration().nanos(), 993'000'000);
  EXPECT_EQ(merged->start_skew().seconds(), 0);
  EXPECT_EQ(merged->start_skew().nanos(), -5'000'000);

  ASSERT_EQ(merged->series_size(), 2);
  const v1::SecondSample& s1 = merged->series(0);
  EXPECT_EQ(s1.second(), 1u);
  EXPECT_EQ(s1.requests(), 151u);
  EXPECT_EQ(s1.errors(), 3u);
  EXPECT_EQ(s1.bytes(), 15u);
  EXPECT_EQ(s1.latency_sum_ns(), 1400u);
  EXPECT_EQ(s1.latency_max_ns(), 5000u);
  EXPECT_EQ(merged->series(1).second(), 2u);
  EXPECT_EQ(merged->series(1).requests(), 152u);
}

TEST(MergeLoadgenResultsTest, OneInputIsItselfOverItsWindow) {
  absl::StatusOr<v1::LoadgenResult> merged = MergeLoadgenResults({ResultA()});
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(*merged, ResultA()))
      << merged->DebugString();
}

TEST(MergeLoadgenResultsTest, RefusesNoInputs) {
  absl::StatusOr<v1::LoadgenResult> merged = MergeLoadgenResults({});
  EXPECT_EQ(merged.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MergeLoadgenResultsTest, RefusesDifferentModesNamingTheInput) {
  v1::LoadgenResult b = ResultB();
  b.set_mode(v1::LOAD_MODE_OPEN);
  absl::StatusOr<v1::LoadgenResult> merged =
      MergeLoadgenResults({ResultA(), b});
  EXPECT_EQ(merged.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(merged.status().message(), HasSubstr("results[1]: mode"));
}

TEST(MergeLoadgenResultsTest, RefusesDifferentSubBucketBits) {
  v1::LoadgenResult b = ResultB();
  b.mutable_latency()->set_sub_bucket_bits(6);
  absl::StatusOr<v1::LoadgenResult> merged =
      MergeLoadgenResults({ResultA(), b});
  EXPECT_EQ(merged.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(merged.status().message(),
              HasSubstr("results[1]: latency.sub_bucket_bits 6"));
}

TEST(MergeLoadgenResultsTest, RefusesAFailedMeasurement) {
  v1::LoadgenResult a = ResultA();
  a.mutable_failure()->set_kind(v1::FAILURE_KIND_LATE_START);
  a.mutable_failure()->set_reason("started 3 s late");
  absl::StatusOr<v1::LoadgenResult> merged =
      MergeLoadgenResults({ResultB(), a});
  EXPECT_EQ(merged.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(merged.status().message(),
              HasSubstr("results[1]: failure is set (started 3 s late)"));
}

TEST(MergeLoadgenResultsTest, RefusesWindowsWithoutACommonInstant) {
  v1::LoadgenResult b = ResultB();
  b.mutable_start_time()->set_seconds(1020);
  absl::StatusOr<v1::LoadgenResult> merged =
      MergeLoadgenResults({ResultA(), b});
  EXPECT_EQ(merged.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(merged.status().message(),
              HasSubstr("results[0]: its window ends before results[1]'s"));
}

}  // namespace
}  // namespace scalebench::results
