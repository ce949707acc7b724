#include "spec/validate.h"

#include <google/protobuf/text_format.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::spec {
namespace {

using ::testing::StartsWith;

// A valid spec as protobuf, the way the coordinator receives one.
v1::ExperimentSpec Valid() {
  v1::ExperimentSpec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        name: "valid"
        loadgen { duration { seconds: 3 } }
        sweep {
          platform: [ PLATFORM_NATIVE ]
          instances: [ 1, 2 ]
        }
      )pb",
      &spec));
  return spec;
}

// The message of ValidateSpec(Valid() with `change` merged in), or "OK".
std::string ErrorOf(const std::string& change) {
  v1::ExperimentSpec spec = Valid();
  v1::ExperimentSpec delta;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(change, &delta))
      << change;
  spec.MergeFrom(delta);
  const absl::Status status = ValidateSpec(spec);
  if (status.ok()) return "OK";
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return std::string(status.message());
}

TEST(ValidateSpecTest, AcceptsTheValidBase) {
  EXPECT_EQ(ErrorOf(""), "OK");
  EXPECT_FALSE(FindSpecProblem(Valid()).has_value());
}

TEST(ValidateSpecTest, TheNameIsRequiredAndFollowsThePattern) {
  v1::ExperimentSpec spec = Valid();
  spec.clear_name();
  EXPECT_EQ(ValidateSpec(spec).message(), "name: is required");
  spec.set_name("has space");
  EXPECT_EQ(ValidateSpec(spec).message(),
            "name: 'has space' is not 1 to 64 letters, digits, '.', '_' or "
            "'-'");
  spec.set_name(std::string(65, 'a'));
  EXPECT_FALSE(ValidateSpec(spec).ok());
  spec.set_name(std::string(64, 'a'));
  EXPECT_TRUE(ValidateSpec(spec).ok());
}

TEST(ValidateSpecTest, SomeConfigurationMustHaveAnInstancePerHost) {
  // Valid() sweeps instances 1 and 2: hosts 2 leaves (2, 2).
  EXPECT_EQ(ErrorOf("sweep { hosts: [ 2 ] }"), "OK");
  EXPECT_EQ(ErrorOf("sweep { hosts: [ 3, 4 ] }"),
            "sweep.hosts: every level is above every level of "
            "sweep.instances: each host needs at least one instance, so "
            "there is no configuration");
}

TEST(ValidateSpecTest, TheLoadNeedsExactlyOneLength) {
  v1::ExperimentSpec spec = Valid();
  spec.mutable_loadgen()->clear_duration();
  EXPECT_THAT(std::string(ValidateSpec(spec).message()),
              StartsWith("loadgen: needs the length of the measurement "
                         "window: duration"));
  spec.mutable_loadgen()->set_requests(0);
  EXPECT_EQ(ValidateSpec(spec).message(),
            "loadgen.requests: must be at least 1");
  spec.mutable_loadgen()->mutable_duration()->set_seconds(0);
  EXPECT_EQ(ValidateSpec(spec).message(),
            "loadgen.duration: must be longer than 0s");
}

TEST(ValidateSpecTest, RateIsRequiredInOpenModeAndOnlyThere) {
  EXPECT_EQ(ErrorOf("loadgen { mode: LOAD_MODE_OPEN }"),
            "loadgen.rate: is required for mode open (requests per second "
            "per load-generator host)");
  EXPECT_EQ(ErrorOf("loadgen { mode: LOAD_MODE_OPEN rate: 100 }"), "OK");
  EXPECT_EQ(ErrorOf("loadgen { mode: LOAD_MODE_OPEN rate: -1 }"),
            "loadgen.rate: -1 is not a rate > 0");
  EXPECT_EQ(ErrorOf("loadgen { rate: 100 }"),
            "loadgen.rate: is only for mode open; mode is closed");
}

TEST(ValidateSpecTest, AdaptiveRepetitionsNeedSoundBounds) {
  EXPECT_EQ(ErrorOf("repetitions { adaptive { ci_halfwidth: 0.03 max: 30 } }"),
            "OK");
  EXPECT_THAT(ErrorOf("repetitions { adaptive { max: 30 } }"),
              StartsWith("repetitions.until.ci_halfwidth: is required"));
  EXPECT_EQ(ErrorOf("repetitions { adaptive { ci_halfwidth: 1 max: 30 } }"),
            "repetitions.until.ci_halfwidth: 1 is not in (0, 1); 0.03 means "
            "3% of the median");
  EXPECT_THAT(
      ErrorOf("repetitions { adaptive { ci_halfwidth: 0.1 min: 5 max: 30 } }"),
      StartsWith("repetitions.until.min: 5 is less than 6"));
  EXPECT_EQ(ErrorOf("repetitions { adaptive { ci_halfwidth: 0.1 } }"),
            "repetitions.until.max: is required (at least 6)");
  EXPECT_EQ(
      ErrorOf("repetitions { adaptive { ci_halfwidth: 0.1 min: 10 max: 8 } }"),
      "repetitions.until.max: 8 is less than min (10)");
  EXPECT_EQ(ErrorOf("repetitions { count: 0 }"),
            "repetitions: must be at least 1");
}

TEST(ValidateSpecTest, SweepLevelsArePositiveKnownAndDistinct) {
  EXPECT_EQ(ErrorOf("sweep { hosts: [ 1, 0 ] }"),
            "sweep.hosts[1]: must be at least 1");
  EXPECT_EQ(ErrorOf("sweep { balancer: [ BALANCER_KIND_UNSPECIFIED ] }"),
            "sweep.balancer[0]: is required; one of none, haproxy, nginx");
  EXPECT_EQ(ErrorOf("sweep { instances: [ 1 ] }"),
            "sweep.instances[2]: 1 is listed twice");
  v1::ExperimentSpec spec = Valid();
  spec.mutable_sweep()->mutable_platform()->Add(99);  // a newer client
  EXPECT_EQ(ValidateSpec(spec).message(),
            "sweep.platform[1]: 99 is not one of native, docker, qemu, xen, "
            "unikernel");
}

TEST(ValidateSpecTest, TooLargeAGridIsRejected) {
  v1::ExperimentSpec spec = Valid();
  for (uint32_t i = 3; i <= 200; ++i) spec.mutable_sweep()->add_instances(i);
  for (uint32_t i = 1; i <= 100; ++i) spec.mutable_sweep()->add_connections(i);
  EXPECT_EQ(ValidateSpec(spec).message(),
            "sweep: has 20000 configurations, more than the 10000 one "
            "experiment may have");
}

TEST(ValidateSpecTest, TheHypervisorGoesWithUnikernels) {
  EXPECT_EQ(ErrorOf("sweep { platform: [ PLATFORM_UNIKERNEL ] }"),
            "target.hypervisor: is required when sweep.platform has "
            "unikernel: one of xen, qemu");
  EXPECT_EQ(ErrorOf("sweep { platform: [ PLATFORM_UNIKERNEL ] } "
                    "target { hypervisor: \"xen\" }"),
            "OK");
  EXPECT_EQ(ErrorOf("target { hypervisor: \"xen\" }"),
            "target.hypervisor: is only for platform unikernel, which "
            "sweep.platform does not have");
  EXPECT_EQ(ErrorOf("sweep { platform: [ PLATFORM_UNIKERNEL ] } "
                    "target { hypervisor: \"kvm\" }"),
            "target.hypervisor: 'kvm' is not one of xen, qemu");
}

TEST(ValidateSpecTest, TheXenTypeGoesWithXenGuests) {
  EXPECT_EQ(ErrorOf("sweep { platform: [ PLATFORM_XEN ] } "
                    "target { xen_type: \"pv\" }"),
            "OK");
  EXPECT_EQ(ErrorOf("sweep { platform: [ PLATFORM_UNIKERNEL ] } "
                    "target { hypervisor: \"xen\" xen_type: \"pvh\" }"),
            "OK");
  EXPECT_EQ(ErrorOf("sweep { platform: [ PLATFORM_XEN ] } "
                    "target { xen_type: \"hvm2\" }"),
            "target.xen_type: 'hvm2' is not one of pvh, pv, hvm");
  EXPECT_EQ(ErrorOf("target { xen_type: \"pv\" }"),
            "target.xen_type: is only for Xen guests: sweep.platform has "
            "neither xen nor unikernel with target.hypervisor xen");
  EXPECT_EQ(ErrorOf("sweep { platform: [ PLATFORM_UNIKERNEL ] } "
                    "target { hypervisor: \"qemu\" xen_type: \"pv\" }"),
            "target.xen_type: is only for Xen guests: sweep.platform has "
            "neither xen nor unikernel with target.hypervisor xen");
}

TEST(ValidateSpecTest, ValuesThatReachConfigFilesAreStrict) {
  EXPECT_THAT(ErrorOf(R"pb(target { image: "x; rm -rf /" })pb"),
              StartsWith("target.image: 'x; rm -rf /' may hold only"));
  EXPECT_THAT(ErrorOf(R"pb(loadgen { path: "/a b" })pb"),
              StartsWith("loadgen.path: '/a b' is not a path"));
  EXPECT_THAT(ErrorOf(R"pb(loadgen { method: "get" })pb"),
              StartsWith("loadgen.method: 'get' is not an HTTP method"));
  EXPECT_THAT(ErrorOf(R"pb(loadgen { headers: [ "A: 1", "B 2" ] })pb"),
              StartsWith("loadgen.headers[1]: 'B 2' is not 'Name: value'"));
  EXPECT_THAT(ErrorOf(R"pb(loadgen { headers: "A: 1\r\nB: 2" })pb"),
              StartsWith("loadgen.headers[0]: "));
  EXPECT_EQ(ErrorOf(R"pb(service { server: "apache" })pb"),
            "service.server: 'apache' is not one of nginx");
  EXPECT_EQ(ErrorOf("loadgen { cpus: [ 1, 1 ] }"),
            "loadgen.cpus[1]: core 1 is listed twice");
}

TEST(ValidateSpecTest, ModelsAreCheckedWithTheirIndex) {
  EXPECT_EQ(ErrorOf(R"pb(models {
                           fit: MODEL_KIND_POLY
                           degree: 11
                           x: "instances"
                           y: "requests_per_s"
                         })pb"),
            "models[0].degree: poly needs a degree from 2 to 10; got 11");
  EXPECT_EQ(ErrorOf(R"pb(models {
                           fit: MODEL_KIND_USL
                           x: "instances"
                           y: "requests_per_s"
                         }
                         models {
                           fit: MODEL_KIND_USL
                           x: "cores"
                           y: "requests_per_s"
                         })pb"),
            "models[1].x: 'cores' is not one of instances, vcpus_total, "
            "hosts, vcpus, connections");
  EXPECT_EQ(ErrorOf(R"pb(models {
                           fit: MODEL_KIND_USL
                           x: "instances"
                           y: "throughput"
                         })pb"),
            "models[0].y: 'throughput' is not one of requests_per_s, "
            "transfer_kb_per_s, latency_mean_us, latency_p50_us, "
            "latency_p90_us, latency_p99_us, latency_max_us, errors, "
            "start_skew_us");
  EXPECT_THAT(ErrorOf(R"pb(models {
                             fit: MODEL_KIND_USL
                             x: "instances"
                             y: "requests_per_s"
                             by: [ "platform", "os" ]
                           })pb"),
              StartsWith("models[0].by[1]: 'os' is not a factor; the factors "
                         "are platform, instances, balancer, algorithm, "
                         "hosts, vcpus, keepalive, health_check_interval, "
                         "connections"));
  EXPECT_EQ(ErrorOf(R"pb(models {
                           fit: MODEL_KIND_USL
                           x: "instances"
                           y: "requests_per_s"
                           by: "instances"
                         })pb"),
            "models[0].by[0]: 'instances' is x: grouping by it leaves one x "
            "value per fit");
}

TEST(ValidateSpecTest, CrossHostFiltersNameFactorsAndTheirLevels) {
  const std::string model = R"pb(
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
          key: "%s"
          value { values: "%s" }
        }
      }
    })pb";
  const auto with_test = [&](const std::string& factor,
                             const std::string& value) {
    std::string text = model;
    text.replace(text.find("%s"), 2, factor);
    text.replace(text.find("%s"), 2, value);
    return ErrorOf(text);
  };
  EXPECT_EQ(with_test("hosts", "2"), "OK");
  EXPECT_EQ(with_test("platform", "docker"), "OK");
  EXPECT_EQ(with_test("hosts", "two"),
            "models[0].test.hosts[0]: 'two' is not a whole number");
  EXPECT_EQ(with_test("platform", "kvm"),
            "models[0].test.platform[0]: 'kvm' is not one of native, docker, "
            "qemu, xen, unikernel");
  EXPECT_EQ(with_test("keepalive", "yes"),
            "models[0].test.keepalive[0]: 'yes' is not true or false");
  EXPECT_THAT(with_test("region", "eu"),
              StartsWith("models[0].test.region: 'region' is not a factor"));
  EXPECT_EQ(ErrorOf(R"pb(models {
                           fit: MODEL_KIND_LINEAR
                           x: "vcpus_total"
                           y: "requests_per_s"
                           train {
                             factors {
                               key: "hosts"
                               value { values: "1" }
                             }
                           }
                         })pb"),
            "models[0].test: is required for a cross-host test: give "
            "models[0].train and models[0].test together, or neither");
}

TEST(ValidateSpecTest, TimeoutsAndRetriesArePositive) {
  EXPECT_EQ(ErrorOf("timeouts { start_lead { seconds: 0 } }"),
            "timeouts.start_lead: must be longer than 0s");
  EXPECT_EQ(ErrorOf("timeouts { collect { seconds: 1 nanos: -1 } }"),
            "timeouts.collect: is not a well-formed duration (seconds 1, "
            "nanos -1)");
  EXPECT_EQ(ErrorOf("retry { max_attempts: 0 }"),
            "retry.max_attempts: must be at least 1");
  EXPECT_EQ(ErrorOf("loadgen { warmup { seconds: 0 } }"), "OK");
}

}  // namespace
}  // namespace scalebench::spec
