// The v1 API's messages survive serialization, and its services are
// generated with the methods the design names.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

#include <string>

#include "gtest/gtest.h"
#include "results/histogram.h"
#include "scalebench/v1/coordinator.grpc.pb.h"
#include "scalebench/v1/worker.grpc.pb.h"
#include "spec/architecture_example.h"

namespace scalebench {
namespace {

using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;

template <typename T>
T RoundTrip(const T& message) {
  std::string wire;
  EXPECT_TRUE(message.SerializeToString(&wire));
  T parsed;
  EXPECT_TRUE(parsed.ParseFromString(wire));
  return parsed;
}

// ARCHITECTURE.md's example spec, as the spec parser's tests have it.
v1::ExperimentSpec PaperFigureSeven() {
  v1::ExperimentSpec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      spec::testing::kArchitectureExampleProto, &spec));
  return spec;
}

TEST(ProtoRoundTripTest, ExperimentSpecSurvivesTheWire) {
  const v1::ExperimentSpec spec = PaperFigureSeven();
  ASSERT_EQ(spec.sweep().instances_size(), 7);
  const v1::ExperimentSpec parsed = RoundTrip(spec);
  EXPECT_TRUE(MessageDifferencer::Equals(spec, parsed));
  EXPECT_EQ(parsed.models(2).test().factors().at("hosts").values_size(), 2);
}

// A result recorded by the project's own histogram survives the wire and
// reads back, through Histogram::FromProto, with the same samples.
TEST(ProtoRoundTripTest, WorkerResultWithHistogramSurvivesTheWire) {
  results::Histogram recorded;
  // 1000 samples from 1 us to 1 ms, and one beyond the trackable range.
  for (uint64_t us = 1; us <= 1000; ++us) recorded.Record(us * 1000);
  recorded.Record(recorded.highest_trackable_ns() + 1);

  v1::WorkerResult result;
  result.mutable_key()->set_trial("experiments/exp-000001/trials/3");
  result.mutable_key()->set_attempt(2);
  result.set_worker_id("host-a");
  v1::LoadgenResult* load = result.mutable_loadgen();
  load->set_requests(1001);
  *load->mutable_latency() = recorded.ToProto();
  (*result.mutable_environment()->mutable_versions())["nginx"] = "1.22.1";

  const v1::WorkerResult parsed = RoundTrip(result);
  EXPECT_TRUE(MessageDifferencer::Equals(result, parsed));
  absl::StatusOr<results::Histogram> read =
      results::Histogram::FromProto(parsed.loadgen().latency());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->count(), 1001u);
  EXPECT_EQ(read->overflow_count(), 1u);
  EXPECT_EQ(read->min_ns(), 1000u);
  // The median sample is 501 us; its bucket's midpoint is within 0.39%.
  EXPECT_NEAR(static_cast<double>(read->ValueAtQuantile(0.5)), 501000.0,
              501000.0 * 0.0039);
  EXPECT_EQ(read->ValueAtQuantile(0.5), recorded.ValueAtQuantile(0.5));
}

TEST(ProtoRoundTripTest, OneofStatesKeepTheirCase) {
  v1::SynchronizeResponse response;
  v1::DesiredState::Measure* measure =
      response.mutable_desired()->mutable_measure();
  measure->mutable_key()->set_trial("experiments/exp-000001/trials/9");
  measure->add_urls("http://127.0.0.1:8080/");
  measure->mutable_start_time()->set_seconds(1700000000);
  response.add_acknowledged()->set_worker_id("host-a");

  const v1::SynchronizeResponse parsed = RoundTrip(response);
  EXPECT_EQ(parsed.desired().state_case(), v1::DesiredState::kMeasure);
  EXPECT_EQ(parsed.desired().measure().key().trial(),
            "experiments/exp-000001/trials/9");
  EXPECT_TRUE(MessageDifferencer::Equals(response, parsed));

  v1::WorkerState current;
  current.mutable_ready()->add_target_endpoints("10.0.0.2:8080");
  EXPECT_EQ(RoundTrip(current).state_case(), v1::WorkerState::kReady);
}

// Fields whose default is not zero have presence: an omitted keepalive
// (default true) is told apart from an explicit false after the wire.
TEST(ProtoRoundTripTest, OptionalFieldsTellOmittedFromZero) {
  v1::LoadSpec omitted;
  EXPECT_FALSE(RoundTrip(omitted).has_keepalive());
  v1::LoadSpec off;
  off.set_keepalive(false);
  EXPECT_TRUE(RoundTrip(off).has_keepalive());
  EXPECT_FALSE(RoundTrip(off).keepalive());

  v1::ServiceSpec empty_page;
  empty_page.set_page_bytes(0);
  EXPECT_TRUE(RoundTrip(empty_page).has_page_bytes());
  EXPECT_FALSE(RoundTrip(v1::ServiceSpec()).has_page_bytes());
}

// "Exactly one of" is a oneof: setting requests clears duration.
TEST(ProtoRoundTripTest, LengthIsDurationOrRequestsNeverBoth) {
  v1::LoadSpec load;
  load.mutable_duration()->set_seconds(30);
  load.set_requests(10000);
  const v1::LoadSpec parsed = RoundTrip(load);
  EXPECT_EQ(parsed.length_case(), v1::LoadSpec::kRequests);
  EXPECT_FALSE(parsed.has_duration());

  v1::RepetitionPolicy repetitions;
  repetitions.set_count(5);
  repetitions.mutable_adaptive()->set_max(30);
  EXPECT_EQ(RoundTrip(repetitions).policy_case(),
            v1::RepetitionPolicy::kAdaptive);
}

TEST(ProtoRoundTripTest, OptionalPeakDistinguishesAbsentFromZero) {
  v1::ModelFit fit;
  EXPECT_FALSE(RoundTrip(fit).has_peak_x());
  fit.set_peak_x(0.0);
  EXPECT_TRUE(RoundTrip(fit).has_peak_x());
  EXPECT_FALSE(RoundTrip(fit).has_r2());
  fit.set_r2(0.0);
  EXPECT_TRUE(RoundTrip(fit).has_r2());
}

// Every enum in the API reserves 0 for *_UNSPECIFIED (STYLE.md), so an
// unset field is never mistaken for a real choice.
TEST(ProtoApiTest, EveryEnumStartsWithUnspecified) {
  const google::protobuf::FileDescriptor* files[] = {
      v1::ExperimentSpec::descriptor()->file(),
      v1::Failure::descriptor()->file(),
      v1::LatencyHistogram::descriptor()->file(),
      v1::SynchronizeRequest::descriptor()->file(),
      v1::Experiment::descriptor()->file(),
  };
  int enums = 0;
  for (const auto* file : files) {
    for (int i = 0; i < file->enum_type_count(); ++i) {
      const auto* e = file->enum_type(i);
      const auto* zero = e->FindValueByNumber(0);
      ASSERT_NE(zero, nullptr) << e->full_name();
      EXPECT_NE(zero->name().find("_UNSPECIFIED"), std::string::npos)
          << e->full_name();
      ++enums;
    }
  }
  EXPECT_GE(enums, 11);
}

// STYLE.md: one request and one response message per RPC, named after it,
// so fields can be added to any call later.
TEST(ProtoApiTest, EveryRpcHasItsOwnRequestAndResponse) {
  const google::protobuf::ServiceDescriptor* services[] = {
      v1::Experiment::descriptor()->file()->FindServiceByName(
          "CoordinatorService"),
      v1::SynchronizeRequest::descriptor()->file()->FindServiceByName(
          "WorkerService"),
  };
  int methods = 0;
  for (const auto* service : services) {
    ASSERT_NE(service, nullptr);
    for (int i = 0; i < service->method_count(); ++i) {
      const auto* method = service->method(i);
      EXPECT_EQ(method->input_type()->name(), method->name() + "Request");
      EXPECT_EQ(method->output_type()->name(), method->name() + "Response");
      ++methods;
    }
  }
  EXPECT_EQ(methods, 16);  // 14 of CoordinatorService, 2 of WorkerService.
}

// coordinator.proto and worker.proto share types through common.proto,
// never through each other.
TEST(ProtoApiTest, TheTwoProtocolsDoNotImportEachOther) {
  const auto* coordinator = v1::Experiment::descriptor()->file();
  const auto* worker = v1::SynchronizeRequest::descriptor()->file();
  for (int i = 0; i < coordinator->dependency_count(); ++i) {
    EXPECT_NE(coordinator->dependency(i), worker);
  }
  for (int i = 0; i < worker->dependency_count(); ++i) {
    EXPECT_NE(worker->dependency(i), coordinator);
  }
}

TEST(ProtoApiTest, ServicesHaveTheDesignedMethods) {
  const auto* coordinator =
      v1::Experiment::descriptor()->file()->FindServiceByName(
          "CoordinatorService");
  ASSERT_NE(coordinator, nullptr);
  for (const char* method :
       {"CreateExperiment", "GetExperiment", "ListExperiments",
        "WatchExperiment", "CancelExperiment", "ListWorkers",
        "ExportResults"}) {
    EXPECT_NE(coordinator->FindMethodByName(method), nullptr) << method;
  }
  EXPECT_TRUE(
      coordinator->FindMethodByName("WatchExperiment")->server_streaming());

  const auto* worker =
      v1::SynchronizeRequest::descriptor()->file()->FindServiceByName(
          "WorkerService");
  ASSERT_NE(worker, nullptr);
  const auto* sync = worker->FindMethodByName("Synchronize");
  ASSERT_NE(sync, nullptr);
  EXPECT_FALSE(sync->server_streaming());
  EXPECT_FALSE(sync->client_streaming());
}

}  // namespace
}  // namespace scalebench
