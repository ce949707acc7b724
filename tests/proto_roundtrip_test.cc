// The v1 API's messages survive serialization, and its services are
// generated with the methods the design names.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

#include <string>

#include "gtest/gtest.h"
#include "scalebench/v1/coordinator.grpc.pb.h"
#include "scalebench/v1/worker.grpc.pb.h"

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

v1::ExperimentSpec PaperFigureSeven() {
  v1::ExperimentSpec spec;
  const bool ok = google::protobuf::TextFormat::ParseFromString(
      R"pb(
        name: "paper-figure-7"
        repetitions { count: 10 }
        order: TRIAL_ORDER_RANDOMIZED
        service { server: "nginx" page_bytes: 612 }
        target { vcpus: 1 memory_mb: 64 }
        loadgen {
          mode: LOAD_MODE_CLOSED
          connections: 100
          duration { seconds: 30 }
          keepalive: true
          warmup { seconds: 5 }
        }
        sweep {
          platform: [ PLATFORM_NATIVE, PLATFORM_DOCKER, PLATFORM_QEMU ]
          instances: [ 1, 2, 3, 4, 5, 6, 8 ]
          balancer: [ BALANCER_KIND_NONE, BALANCER_KIND_HAPROXY ]
          algorithm: [ BALANCER_ALGORITHM_ROUNDROBIN ]
          hosts: [ 1 ]
        }
        models {
          fit: MODEL_KIND_POLY
          degree: 2
          x: "instances"
          y: "requests_per_s"
          by: "platform"
        }
        models {
          fit: MODEL_KIND_LINEAR
          x: "vcpus_total"
          y: "requests_per_s"
          train {
            factors {
              key: "hosts"
              value { values: "1" }
            }
          }
          test {
            factors {
              key: "hosts"
              value { values: [ "2", "3" ] }
            }
          }
        }
      )pb",
      &spec);
  EXPECT_TRUE(ok);
  return spec;
}

TEST(ProtoRoundTripTest, ExperimentSpecSurvivesTheWire) {
  const v1::ExperimentSpec spec = PaperFigureSeven();
  ASSERT_EQ(spec.sweep().instances_size(), 7);
  const v1::ExperimentSpec parsed = RoundTrip(spec);
  EXPECT_TRUE(MessageDifferencer::Equals(spec, parsed));
  EXPECT_EQ(parsed.models(1).test().factors().at("hosts").values_size(), 2);
}

TEST(ProtoRoundTripTest, WorkerResultWithHistogramSurvivesTheWire) {
  v1::WorkerResult result;
  result.mutable_key()->set_trial("experiments/exp-000001/trials/3");
  result.mutable_key()->set_attempt(2);
  result.set_worker_id("host-a");
  v1::LoadgenResult* load = result.mutable_loadgen();
  load->set_requests(123456);
  load->mutable_errors()->set_timeout(7);
  v1::LatencyHistogram* h = load->mutable_latency();
  h->set_sub_bucket_bits(7);
  for (uint32_t i : {5u, 900u, 4000u}) {
    h->add_bucket_index(i);
    h->add_bucket_count(i * 3ull);
  }
  h->set_max_ns(uint64_t{1} << 40);
  v1::SecondSample* s = load->add_series();
  s->set_second(0);
  s->set_requests(1000);
  (*result.mutable_environment()->mutable_versions())["nginx"] = "1.22.1";

  const v1::WorkerResult parsed = RoundTrip(result);
  EXPECT_TRUE(MessageDifferencer::Equals(result, parsed));
  EXPECT_EQ(parsed.loadgen().latency().max_ns(), uint64_t{1} << 40);
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

TEST(ProtoRoundTripTest, OptionalPeakDistinguishesAbsentFromZero) {
  v1::ModelFit fit;
  EXPECT_FALSE(RoundTrip(fit).has_peak_x());
  fit.set_peak_x(0.0);
  EXPECT_TRUE(RoundTrip(fit).has_peak_x());
}

// Every enum in the API reserves 0 for *_UNSPECIFIED (STYLE.md), so an
// unset field is never mistaken for a real choice.
TEST(ProtoApiTest, EveryEnumStartsWithUnspecified) {
  const google::protobuf::FileDescriptor* files[] = {
      v1::ExperimentSpec::descriptor()->file(),
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
  EXPECT_GE(enums, 9);
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
