#include "spec/validate.h"

#include <google/protobuf/text_format.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/limits.h"

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
            "error_rate, start_skew_us, start_skew_uncertainty_us, "
            "start_spread_us, observed_start_spread_us");
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
  // A linear model trained on one host, and its test block when given.
  const auto model = [](const std::string& test) {
    return absl::StrCat(R"pb(
                          models { fit: MODEL_KIND_LINEAR x: "vcpus_total"
                                   y: "requests_per_s"
                                   train {
                                     factors {
                                       key: "hosts"
                                       value { values: "1" }
                                     }
                                   })pb",
                        test, "}");
  };
  const auto with_test = [&](const std::string& factor,
                             const std::string& value) {
    return ErrorOf(
        model(absl::StrCat("test { factors { key: \"", factor,
                           "\" value { values: \"", value, "\" } } }")));
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
  EXPECT_EQ(ErrorOf(model("")),
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

// Issue 25: counts of 4294967295, a rate of 1e300 or 1e-320 and about
// 12,000 instances validated, and the worker refused them at run time
// naming no field. Each is refused now, naming its field.
TEST(ValidateSpecLimitsTest, EveryCountIsBoundedAndNamesItsField) {
  EXPECT_EQ(ErrorOf("repetitions { count: 4294967295 }"),
            "repetitions: 4294967295 is more than the maximum, 1000");
  EXPECT_EQ(ErrorOf("repetitions { count: 1000 }"), "OK");
  EXPECT_EQ(ErrorOf("repetitions { adaptive { ci_halfwidth: 0.1 max: 1001 } }"),
            "repetitions.until.max: 1001 is more than the maximum, 1000");
  EXPECT_EQ(ErrorOf("service { page_bytes: 4294967295 }"),
            "service.page_bytes: 4294967295 is more than the maximum, "
            "67108864");
  EXPECT_EQ(ErrorOf("service { worker_processes: 4294967295 }"),
            "service.worker_processes: 4294967295 is more than the maximum, "
            "1024");
  EXPECT_EQ(ErrorOf("target { vcpus: 4294967295 }"),
            "target.vcpus: 4294967295 is more than the maximum, 128");
  EXPECT_EQ(ErrorOf("target { memory_mb: 4294967295 }"),
            "target.memory_mb: 4294967295 is more than the maximum, 1048576");
  EXPECT_EQ(ErrorOf("loadgen { connections: 4294967295 }"),
            "loadgen.connections: 4294967295 is more than the maximum, "
            "1000000");
  EXPECT_EQ(ErrorOf("loadgen { threads: 4294967295 }"),
            "loadgen.threads: 4294967295 is more than the maximum, 1024");
  EXPECT_EQ(ErrorOf("sweep { instances: [ 12000 ] }"),
            "sweep.instances[2]: 12000 is more than the maximum, 1024");
  EXPECT_EQ(ErrorOf("sweep { hosts: [ 1025 ] }"),
            "sweep.hosts[0]: 1025 is more than the maximum, 1024");
  EXPECT_EQ(ErrorOf("sweep { vcpus: [ 129 ] }"),
            "sweep.vcpus[0]: 129 is more than the maximum, 128");
  EXPECT_EQ(ErrorOf("sweep { connections: [ 1000001 ] }"),
            "sweep.connections[0]: 1000001 is more than the maximum, "
            "1000000");
  EXPECT_EQ(ErrorOf("retry { max_attempts: 4294967295 }"),
            "retry.max_attempts: 4294967295 is more than the maximum, 10");
  v1::ExperimentSpec spec = Valid();
  spec.mutable_loadgen()->set_requests(1'000'000'000'001);
  spec.mutable_loadgen()->set_connections(1);
  EXPECT_EQ(ValidateSpec(spec).message(),
            "loadgen.requests: 1000000000001 is more than the maximum, "
            "1000000000000");
}

TEST(ValidateSpecLimitsTest, QemuAndXenGuestsHaveTheirOwnBounds) {
  EXPECT_EQ(ErrorOf("sweep { platform: [ PLATFORM_QEMU ] vcpus: [ 65 ] }"),
            "sweep.vcpus[0]: 65 is more than the maximum, 64 (QEMU's limit)");
  EXPECT_EQ(ErrorOf("sweep { platform: [ PLATFORM_QEMU ] } "
                    "target { vcpus: 65 }"),
            "target.vcpus: 65 is more than the maximum, 64 (QEMU's limit)");
  EXPECT_EQ(ErrorOf("sweep { platform: [ PLATFORM_QEMU ] } "
                    "target { memory_mb: 64 }"),
            "target.memory_mb: must be at least 128 for the guests of "
            "sweep.platform");
  EXPECT_EQ(ErrorOf("sweep { platform: [ PLATFORM_XEN ] } "
                    "target { memory_mb: 7 }"),
            "target.memory_mb: must be at least 8 for the guests of "
            "sweep.platform");
  EXPECT_EQ(ErrorOf("sweep { platform: [ PLATFORM_XEN ] } "
                    "target { memory_mb: 8 }"),
            "OK");
  EXPECT_EQ(ErrorOf("target { memory_mb: 7 }"), "OK");  // native
}

TEST(ValidateSpecLimitsTest, MaxErrorRateIsAFraction) {
  EXPECT_EQ(ErrorOf("loadgen { max_error_rate: 1.5 }"),
            "loadgen.max_error_rate: 1.5 is not a fraction from 0 to 1 (0.01 "
            "lets 1% of the requests fail)");
  EXPECT_EQ(ErrorOf("loadgen { max_error_rate: -0.01 }"),
            "loadgen.max_error_rate: -0.01 is not a fraction from 0 to 1 "
            "(0.01 lets 1% of the requests fail)");
  EXPECT_EQ(ErrorOf("loadgen { max_error_rate: nan }"),
            "loadgen.max_error_rate: nan is not a fraction from 0 to 1 (0.01 "
            "lets 1% of the requests fail)");
  EXPECT_EQ(ErrorOf("loadgen { start_tolerance { seconds: 2 } }"),
            "loadgen.start_tolerance: 2s is longer than the maximum, 1s: a "
            "later start mixes phases of the load across hosts");
  EXPECT_EQ(ErrorOf("loadgen { start_tolerance { seconds: -1 } }"),
            "loadgen.start_tolerance: is negative (-1s); a duration is >= 0");
  EXPECT_EQ(ErrorOf("loadgen { start_tolerance { nanos: 50000000 } }"), "OK");
  EXPECT_EQ(ErrorOf("loadgen { max_error_rate: 0 }"), "OK");
  EXPECT_EQ(ErrorOf("loadgen { max_error_rate: 1 }"), "OK");
}

TEST(ValidateSpecLimitsTest, RateIsFiniteAndWithinItsBounds) {
  EXPECT_EQ(ErrorOf("loadgen { mode: LOAD_MODE_OPEN rate: 1e300 }"),
            "loadgen.rate: 1e+300 is not from 0.1 to 1e+09 requests per "
            "second");
  EXPECT_EQ(ErrorOf("loadgen { mode: LOAD_MODE_OPEN rate: 1e-320 }"),
            "loadgen.rate: 9.99989e-321 is not from 0.1 to 1e+09 requests "
            "per second");
  EXPECT_EQ(ErrorOf("loadgen { mode: LOAD_MODE_OPEN rate: inf }"),
            "loadgen.rate: inf is not a rate > 0");
  EXPECT_EQ(ErrorOf("loadgen { mode: LOAD_MODE_OPEN rate: nan }"),
            "loadgen.rate: nan is not a rate > 0");
  EXPECT_EQ(ErrorOf("loadgen { mode: LOAD_MODE_OPEN rate: 0.1 }"), "OK");
  EXPECT_EQ(ErrorOf("loadgen { mode: LOAD_MODE_OPEN rate: 1e9 }"), "OK");
}

TEST(ValidateSpecLimitsTest, TrialsAreConfigurationsTimesRepetitions) {
  // 2 instances x 50 connections = 100 configurations.
  std::string connections = "sweep { connections: [";
  for (int c = 1; c <= 50; ++c) absl::StrAppend(&connections, c, ",");
  connections.back() = ']';
  connections += " }";
  EXPECT_EQ(ErrorOf(connections + " repetitions { count: 100 }"), "OK");
  EXPECT_EQ(ErrorOf(connections + " repetitions { count: 101 }"),
            "repetitions: 100 configurations x 101 repetitions = 10100 "
            "trials, more than the 10000 one experiment may have");
  // The adaptive policy can grow to until.max.
  EXPECT_EQ(ErrorOf(connections +
                    " repetitions { adaptive { ci_halfwidth: 0.1 max: 101 } }"),
            "repetitions.until.max: 100 configurations x 101 repetitions = "
            "10100 trials, more than the 10000 one experiment may have");
}

// Issue 25: a qemu image "/a,/b,/c" validated; QEMU reads a comma as
// another file.
TEST(ValidateSpecLimitsTest, AKernelImageIsKernelOrKernelAndInitrd) {
  EXPECT_EQ(ErrorOf(R"pb(sweep { platform: [ PLATFORM_QEMU ] }
                         target { image: "/a,/b,/c" })pb"),
            "target.image: '/a,/b,/c' has 2 commas, but the image of a QEMU "
            "target is KERNEL or KERNEL,INITRD");
  EXPECT_EQ(ErrorOf(R"pb(sweep { platform: [ PLATFORM_QEMU ] }
                         target { image: "/boot/k,/boot/i" })pb"),
            "OK");
  EXPECT_EQ(ErrorOf(R"pb(sweep { platform: [ PLATFORM_QEMU ] }
                         target { image: "/boot/k," })pb"),
            "target.image: '/boot/k,' is not KERNEL or KERNEL,INITRD: a part "
            "is empty");
  EXPECT_EQ(ErrorOf(R"pb(sweep { platform: [ PLATFORM_UNIKERNEL ] }
                         target { hypervisor: "qemu" image: "/a,/b,/c" })pb"),
            "target.image: '/a,/b,/c' has 2 commas, but the image of a QEMU "
            "target is KERNEL or KERNEL,INITRD");
  EXPECT_THAT(ErrorOf(R"pb(sweep { platform: [ PLATFORM_XEN ] }
                           target { image: "boot/k" })pb"),
              StartsWith("target.image: 'boot/k' is not KERNEL or "
                         "KERNEL,INITRD for Xen: each an absolute path"));
  EXPECT_THAT(ErrorOf(R"pb(sweep { platform: [ PLATFORM_XEN ] }
                           target { image: "/d,/e" xen_type: "hvm" })pb"),
              StartsWith("target.image: '/d,/e' has 1 commas, but the image "
                         "of a Xen target is DISK"));
  EXPECT_EQ(ErrorOf(R"pb(sweep { platform: [ PLATFORM_XEN ] }
                         target { image: "single-app" })pb"),
            "OK");
  // Native targets do not use the image.
  EXPECT_EQ(ErrorOf(R"pb(target { image: "/a,/b,/c" })pb"), "OK");
}

TEST(ValidateSpecLimitsTest, ListsAreBoundedBeforeTheirElementsAreChecked) {
  v1::ExperimentSpec spec = Valid();
  // 0 would be refused too, but the number of levels is checked first.
  for (int i = 0; i <= kMaxLevelsPerFactor; ++i) {
    spec.mutable_sweep()->add_connections(0);
  }
  EXPECT_EQ(ValidateSpec(spec).message(),
            "sweep.connections: has 10001 levels, more than the 10000 "
            "allowed");

  spec = Valid();
  for (int i = 0; i <= kMaxHeaders; ++i) {
    spec.mutable_loadgen()->add_headers("X-A: 1");
  }
  EXPECT_EQ(ValidateSpec(spec).message(),
            "loadgen.headers: has 65 headers, more than the 64 allowed");

  spec = Valid();
  for (int i = 0; i <= kMaxModels; ++i) spec.add_models();
  EXPECT_EQ(ValidateSpec(spec).message(),
            "models: has 33 models, more than the 32 allowed");

  spec = Valid();
  spec.mutable_loadgen()->set_body(std::string(kMaxBodyBytes + 1, 'b'));
  EXPECT_EQ(ValidateSpec(spec).message(),
            "loadgen.body: has 65537 bytes, more than the 65536 allowed");

  spec = Valid();
  v1::ModelSpec& model = *spec.add_models();
  model.set_fit(v1::MODEL_KIND_LINEAR);
  model.set_x("vcpus_total");
  model.set_y("requests_per_s");
  (*model.mutable_train()->mutable_factors())["hosts"].add_values("1");
  v1::FactorValues& test = (*model.mutable_test()->mutable_factors())["hosts"];
  for (int i = 0; i <= kMaxLevelsPerFactor; ++i) test.add_values("2");
  EXPECT_EQ(ValidateSpec(spec).message(),
            "models[0].test.hosts: has 10001 values, more than the 10000 "
            "allowed");
}

TEST(ValidateSpecLimitsTest, ThreadsAndRequestsFitEveryConnectionsLevel) {
  EXPECT_EQ(ErrorOf("loadgen { threads: 8 } sweep { connections: [ 4, 16 ] }"),
            "loadgen.threads: 8 is more than 4 connections (each thread "
            "needs a connection of its own)");
  EXPECT_EQ(ErrorOf("loadgen { threads: 4 } sweep { connections: [ 4, 16 ] }"),
            "OK");
  EXPECT_EQ(ErrorOf("loadgen { threads: 101 }"),
            "loadgen.threads: 101 is more than 100 connections (each thread "
            "needs a connection of its own)");
  v1::ExperimentSpec spec = Valid();
  spec.mutable_loadgen()->set_requests(10);
  spec.mutable_sweep()->add_connections(5);
  spec.mutable_sweep()->add_connections(50);
  EXPECT_EQ(ValidateSpec(spec).message(),
            "loadgen.requests: 10 is fewer than 50 connections (each "
            "connection sends at least one request)");
}

TEST(ValidateSpecLimitsTest, TheWindowAndTheWarmupAreAtMostADay) {
  EXPECT_EQ(ErrorOf("loadgen { duration { seconds: 86400 } }"), "OK");
  EXPECT_EQ(ErrorOf("loadgen { duration { seconds: 86401 } }"),
            "loadgen.duration: 24h1s is longer than the maximum, 24h");
  EXPECT_EQ(ErrorOf("loadgen { warmup { seconds: 90000 } }"),
            "loadgen.warmup: 25h is longer than the maximum, 24h");
}

// Issue 25: a 1 MB value was echoed back whole in the error.
TEST(ValidateSpecLimitsTest, EchoedValuesAndPathsAreClipped) {
  const std::string huge(1 << 20, 'v');
  v1::ExperimentSpec spec = Valid();
  spec.mutable_loadgen()->set_path("/" + huge + " ");
  std::string message(ValidateSpec(spec).message());
  EXPECT_LT(message.size(), 300u) << message;
  EXPECT_THAT(message, StartsWith("loadgen.path: '/vvvv"));
  EXPECT_THAT(message, ::testing::HasSubstr("...' (1048578 bytes) is not a "
                                            "path"));

  spec = Valid();
  v1::ModelSpec& model = *spec.add_models();
  model.set_fit(v1::MODEL_KIND_LINEAR);
  model.set_x("vcpus_total");
  model.set_y("requests_per_s");
  (*model.mutable_train()->mutable_factors())["hosts"].add_values(huge);
  (*model.mutable_test()->mutable_factors())["hosts"].add_values("2");
  message = std::string(ValidateSpec(spec).message());
  EXPECT_LT(message.size(), 300u) << message;
  EXPECT_THAT(message, StartsWith("models[0].train.hosts[0]: 'vvvv"));

  const v1::ModelSpec cross_host = model;
  spec = Valid();
  *spec.add_models() = cross_host;
  spec.mutable_models(0)->mutable_train()->clear_factors();
  (*spec.mutable_models(0)->mutable_train()->mutable_factors())[huge]
      .add_values("1");
  message = std::string(ValidateSpec(spec).message());
  EXPECT_LT(message.size(), 600u) << message;
  EXPECT_THAT(message, ::testing::HasSubstr("is not a factor"));

  spec = Valid();
  spec.add_models()->add_by(huge);
  spec.mutable_models(0)->add_by(huge);
  message = std::string(ValidateSpec(spec).message());
  EXPECT_LT(message.size(), 600u) << message;
  EXPECT_THAT(message, StartsWith("models[0].by[0]: 'vvvv"));
}

TEST(ValidateSpecLimitsTest, TheWholeSpecIsBounded) {
  v1::ExperimentSpec spec = Valid();
  for (int i = 0; i < kMaxHeaders; ++i) {
    spec.mutable_loadgen()->add_headers("X-A: " + std::string(4000, 'a'));
  }
  spec.mutable_loadgen()->set_body(std::string(kMaxBodyBytes, 'b'));
  EXPECT_THAT(std::string(ValidateSpec(spec).message()),
              StartsWith("the spec is "));
  EXPECT_THAT(std::string(ValidateSpec(spec).message()),
              ::testing::HasSubstr("bytes as protobuf, more than the 262144"));
}

}  // namespace
}  // namespace scalebench::spec
