// CheckWorkerResult against the absurd results a rogue or broken worker
// sent in the adversarial pass (issue 25), and against honest ones.
#include "coordinator/trials/result_checks.h"

#include <cmath>
#include <functional>
#include <string>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "results/histogram.h"

namespace scalebench::coordinator {
namespace {

using ::testing::HasSubstr;

const absl::Time kArrival = absl::FromUnixSeconds(1'800'000'000);
// T0 of the measurement the worker was asked for, 5 s long.
const absl::Time kT0 = kArrival - absl::Seconds(10);

ResultContext Context() {
  ResultContext context;
  context.receive_time = kArrival;
  context.clock_offset = absl::ZeroDuration();
  context.round_trip = absl::Milliseconds(2);
  v1::DesiredState::Measure measure;
  measure.mutable_key()->set_trial("experiments/exp-000001/trials/0");
  measure.mutable_key()->set_attempt(1);
  *measure.mutable_load()->mutable_duration() =
      DurationToProto(absl::Seconds(5));
  *measure.mutable_start_time() = TimeToProto(kT0);
  v1::LoadSource* source = measure.add_load_sources();
  source->set_worker_id("w2");
  source->add_addresses("10.0.0.2");
  context.measure = measure;
  return context;
}

// What an honest worker whose clock is `ahead` of the coordinator's sends:
// 1000 requests of 1 ms in the 5 s from T0, a little late.
v1::WorkerResult Honest(absl::Duration ahead = absl::ZeroDuration()) {
  v1::WorkerResult result;
  result.mutable_key()->set_trial("experiments/exp-000001/trials/0");
  result.mutable_key()->set_attempt(1);
  result.set_worker_id("w1");
  v1::LoadgenResult& load = *result.mutable_loadgen();
  load.set_requests(1000);
  load.mutable_status_classes()->set_status_2xx(1000);
  (*load.mutable_statuses())[200] = 1000;
  results::Histogram latency;
  for (int i = 0; i < 1000; ++i) latency.Record(1'000'000);
  *load.mutable_latency() = latency.ToProto();
  *load.mutable_start_time() =
      TimeToProto(kT0 + ahead + absl::Microseconds(300));
  *load.mutable_duration() =
      DurationToProto(absl::Seconds(5) - absl::Microseconds(300));
  result.add_core_busy()->set_busy(0.97);
  v1::ClockOffset& before = *result.mutable_clock()->mutable_before();
  *before.mutable_offset() = DurationToProto(absl::Milliseconds(-300));
  *before.mutable_uncertainty() = DurationToProto(absl::Microseconds(80));
  *before.mutable_time() = TimeToProto(kT0 - absl::Seconds(1));
  *result.mutable_clock()->mutable_after() = before;
  *load.mutable_start_skew_uncertainty() =
      DurationToProto(absl::Microseconds(80));
  return result;
}

TEST(CheckWorkerResultTest, AnHonestResultPasses) {
  EXPECT_TRUE(CheckWorkerResult(Honest(), Context()).ok());
  // A worker 3 s ahead reports its window on its own clock.
  ResultContext ahead = Context();
  ahead.clock_offset = absl::Seconds(3);
  EXPECT_TRUE(CheckWorkerResult(Honest(absl::Seconds(3)), ahead).ok());
  // Without a clock estimate or the measurement (after a coordinator
  // restart), within the generous bounds.
  ResultContext unknown = Context();
  unknown.clock_offset.reset();
  unknown.measure.reset();
  EXPECT_TRUE(CheckWorkerResult(Honest(), unknown).ok());
}

TEST(CheckWorkerResultTest, AbsurdResultsAreRefusedNamingTheField) {
  struct Case {
    const char* what;
    std::function<void(v1::WorkerResult*)> spoil;
    const char* message;
  };
  const Case cases[] = {
      {"a start in the year 10000",
       [](v1::WorkerResult* r) {
         r->mutable_loadgen()->mutable_start_time()->set_seconds(253402300800);
       },
       "loadgen.start_time: 253402300800 s and"},
      {"a start before the year 1",
       [](v1::WorkerResult* r) {
         r->mutable_loadgen()->mutable_start_time()->set_seconds(-62135596801);
       },
       "loadgen.start_time: -62135596801 s and"},
      {"a start an hour before T0",
       [](v1::WorkerResult* r) {
         *r->mutable_loadgen()->mutable_start_time() =
             TimeToProto(kT0 - absl::Hours(1));
       },
       "loadgen.start_time: "},
      {"a window that ends after the result arrived",
       [](v1::WorkerResult* r) {
         *r->mutable_loadgen()->mutable_start_time() =
             TimeToProto(kArrival + absl::Seconds(1));
       },
       "loadgen.start_time + loadgen.duration: the window ends"},
      {"histogram counts that wrap 2^64",
       [](v1::WorkerResult* r) {
         v1::LatencyHistogram& h = *r->mutable_loadgen()->mutable_latency();
         h.add_bucket_index(h.bucket_index(h.bucket_index_size() - 1) + 1);
         h.add_bucket_count(~uint64_t{0});
         h.set_bucket_count(0, h.bucket_count(0) + 1);
       },
       "loadgen.latency: histogram: the bucket counts add up to more than "
       "2^64"},
      {"min_ns above max_ns",
       [](v1::WorkerResult* r) {
         r->mutable_loadgen()->mutable_latency()->set_min_ns(5'000'000);
       },
       "loadgen.latency: histogram: min_ns 5000000 is greater than max_ns"},
      {"fewer latencies than requests",
       [](v1::WorkerResult* r) { r->mutable_loadgen()->set_requests(1001); },
       "loadgen.latency.count: 1000 latencies for 1001 completed requests"},
      {"more successes than requests",
       [](v1::WorkerResult* r) {
         r->mutable_loadgen()->mutable_status_classes()->set_status_2xx(5000);
       },
       "loadgen.status_classes: 5000 responses by status class for 1000 "
       "completed requests"},
      {"a code that is no status",
       [](v1::WorkerResult* r) {
         (*r->mutable_loadgen()->mutable_statuses())[700] = 1;
       },
       "loadgen.statuses: 700 is not a status code (100 to 599)"},
      {"codes that say 404 where the classes say 2xx",
       [](v1::WorkerResult* r) {
         r->mutable_loadgen()->mutable_statuses()->clear();
         (*r->mutable_loadgen()->mutable_statuses())[404] = 1000;
       },
       "loadgen.statuses: the 2xx codes add up to 0, not the 1000 of "
       "status_classes"},
      {"a 1 ns window",
       [](v1::WorkerResult* r) {
         *r->mutable_loadgen()->mutable_duration() =
             DurationToProto(absl::Nanoseconds(1));
       },
       "loadgen.duration: 1ns is shorter than a tenth of the planned 5s"},
      {"a 292-year window",
       [](v1::WorkerResult* r) {
         r->mutable_loadgen()->mutable_duration()->set_seconds(9223372036);
       },
       "loadgen.start_time + loadgen.duration: the window ends"},
      {"a negative window",
       [](v1::WorkerResult* r) {
         *r->mutable_loadgen()->mutable_duration() =
             DurationToProto(-absl::Seconds(1));
       },
       "loadgen.duration: -1s is not a positive window"},
      {"an invalid duration",
       [](v1::WorkerResult* r) {
         r->mutable_loadgen()->mutable_duration()->set_nanos(-5);
       },
       "loadgen.duration: 4 s and -5 ns is not a valid duration"},
      {"a core busier than always",
       [](v1::WorkerResult* r) { r->mutable_core_busy(0)->set_busy(1.5); },
       "core_busy[0].busy: 1.5 is not a fraction in [0, 1]"},
      {"a negative clock uncertainty",
       [](v1::WorkerResult* r) {
         *r->mutable_clock()->mutable_before()->mutable_uncertainty() =
             DurationToProto(-absl::Microseconds(1));
       },
       "clock.before.uncertainty: -1us is not in [0, 5s]"},
      {"a clock round trip of a minute",
       [](v1::WorkerResult* r) {
         *r->mutable_clock()->mutable_after()->mutable_max_round_trip() =
             DurationToProto(absl::Minutes(1));
       },
       "clock.after.max_round_trip: 1m is not in [0, 10s]"},
      {"a skew uncertainty of an hour",
       [](v1::WorkerResult* r) {
         *r->mutable_loadgen()->mutable_start_skew_uncertainty() =
             DurationToProto(absl::Hours(1));
       },
       "loadgen.start_skew_uncertainty: 1h is not in [0, 5s]"},
      {"an observed start of a host that sent no load",
       [](v1::WorkerResult* r) {
         r->add_observed_starts()->set_worker_id("w9");
       },
       "observed_starts[0].worker_id: 'w9' is not a load source"},
      {"a host observed twice",
       [](v1::WorkerResult* r) {
         r->add_observed_starts()->set_worker_id("w2");
         r->add_observed_starts()->set_worker_id("w2");
       },
       "observed_starts[1].worker_id: 'w2' appears twice"},
      {"an observe_failure of a megabyte",
       [](v1::WorkerResult* r) {
         r->set_observe_failure(std::string(1 << 20, 'x'));
       },
       "observe_failure: 1048576 bytes is longer than 1024"},
      {"a core busy NaN",
       [](v1::WorkerResult* r) {
         r->mutable_core_busy(0)->set_busy(std::nan(""));
       },
       "core_busy[0].busy: nan is not a fraction"},
  };
  for (const Case& c : cases) {
    v1::WorkerResult result = Honest();
    c.spoil(&result);
    absl::Status status = CheckWorkerResult(result, Context());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.what;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.message)) << c.what;
  }
}

// The planned duration bounds the window when it is known; without it, a
// window the size of the request count's time is bounded by the rate.
TEST(CheckWorkerResultTest, TheWindowIsBoundedByThePlannedDuration) {
  ResultContext context = Context();
  context.receive_time = kT0 + absl::Seconds(60);
  v1::WorkerResult longer = Honest();
  *longer.mutable_loadgen()->mutable_duration() =
      DurationToProto(absl::Seconds(26));
  absl::Status status = CheckWorkerResult(longer, context);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("loadgen.duration: 26s is longer than the planned 5s "
                        "plus 20s"));
  *longer.mutable_loadgen()->mutable_duration() =
      DurationToProto(absl::Seconds(24));
  EXPECT_TRUE(CheckWorkerResult(longer, context).ok());

  context.measure.reset();
  v1::WorkerResult instant = Honest();
  *instant.mutable_loadgen()->mutable_duration() =
      DurationToProto(absl::Nanoseconds(1));
  status = CheckWorkerResult(instant, context);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("loadgen.requests: 1000 requests in 1ns is more than "
                        "one a nanosecond"));
}

// Without a clock estimate the uncertainty is a day: generous, bounded.
TEST(CheckWorkerResultTest, AnUnknownClockIsTrustedOnlyWithinADay) {
  ResultContext context = Context();
  context.clock_offset.reset();
  EXPECT_TRUE(CheckWorkerResult(Honest(absl::Hours(23)), context).ok());
  EXPECT_FALSE(CheckWorkerResult(Honest(absl::Hours(25)), context).ok());
  EXPECT_FALSE(CheckWorkerResult(Honest(-absl::Hours(25)), context).ok());
}

// A failure is not a measurement: nothing in it is checked.
TEST(CheckWorkerResultTest, AReportedFailureIsNotChecked) {
  v1::WorkerResult failed = Honest();
  failed.mutable_loadgen()->mutable_start_time()->set_seconds(253402300800);
  failed.mutable_failure()->set_kind(v1::FAILURE_KIND_LOADGEN);
  EXPECT_TRUE(CheckWorkerResult(failed, Context()).ok());
}

TEST(RefusedResultTest, KeepsTheKeyAndWorkerAndSaysWhy) {
  v1::WorkerResult refused = RefusedResult(
      Honest(), absl::InvalidArgumentError("loadgen.duration: bad"));
  EXPECT_EQ(refused.key().trial(), "experiments/exp-000001/trials/0");
  EXPECT_EQ(refused.worker_id(), "w1");
  EXPECT_FALSE(refused.has_loadgen());
  EXPECT_EQ(refused.failure().kind(), v1::FAILURE_KIND_INTERNAL);
  EXPECT_EQ(refused.failure().reason(),
            "the coordinator refused the worker's result: loadgen.duration: "
            "bad");
}

}  // namespace
}  // namespace scalebench::coordinator
