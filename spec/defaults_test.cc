#include "spec/defaults.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/durations.h"

namespace scalebench::spec {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;

v1::ExperimentSpec FromText(const char* text) {
  v1::ExperimentSpec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &spec));
  return spec;
}

TEST(WithDefaultsTest, FillsEveryDefaultOfTheProtoComments) {
  const v1::ExperimentSpec spec =
      WithDefaults(FromText(R"pb(name: "d"
                                 loadgen { requests: 5 })pb"));
  EXPECT_EQ(spec.order(), v1::TRIAL_ORDER_RANDOMIZED);
  EXPECT_EQ(spec.repetitions().count(), 1u);
  EXPECT_FALSE(spec.has_seed());
  EXPECT_EQ(spec.service().server(), "nginx");
  EXPECT_EQ(spec.service().page_bytes(), 612u);
  EXPECT_EQ(spec.target().vcpus(), 1u);
  EXPECT_FALSE(spec.target().has_memory_mb());  // per platform
  const v1::LoadSpec& load = spec.loadgen();
  EXPECT_EQ(load.mode(), v1::LOAD_MODE_CLOSED);
  EXPECT_EQ(load.connections(), 100u);
  EXPECT_TRUE(load.has_keepalive());
  EXPECT_TRUE(load.keepalive());
  EXPECT_EQ(FromProto(load.warmup()), absl::ZeroDuration());
  EXPECT_EQ(FromProto(load.timeout()), absl::Seconds(10));
  EXPECT_EQ(load.method(), "GET");
  EXPECT_EQ(load.path(), "/");
  EXPECT_EQ(load.requests(), 5u);
  EXPECT_EQ(spec.retry().max_attempts(), 3u);
  EXPECT_EQ(FromProto(spec.timeouts().prepare()), absl::Seconds(60));
  EXPECT_EQ(FromProto(spec.timeouts().balance()), absl::Seconds(15));
  EXPECT_EQ(FromProto(spec.timeouts().start_lead()), absl::Seconds(2));
  EXPECT_EQ(FromProto(spec.timeouts().collect()), absl::Seconds(30));
  const v1::SweepSpec& sweep = spec.sweep();
  EXPECT_THAT(sweep.platform(), ElementsAre(v1::PLATFORM_NATIVE));
  EXPECT_THAT(sweep.instances(), ElementsAre(1));
  EXPECT_THAT(sweep.balancer(), ElementsAre(v1::BALANCER_KIND_NONE));
  EXPECT_THAT(sweep.algorithm(),
              ElementsAre(v1::BALANCER_ALGORITHM_ROUNDROBIN));
  EXPECT_THAT(sweep.hosts(), ElementsAre(1));
  EXPECT_THAT(sweep.vcpus(), ElementsAre(1));
  EXPECT_THAT(sweep.keepalive(), ElementsAre(true));
  ASSERT_EQ(sweep.health_check_interval_size(), 1);
  EXPECT_EQ(FromProto(sweep.health_check_interval(0)), absl::ZeroDuration());
  EXPECT_THAT(sweep.connections(), ElementsAre(100));
}

TEST(WithDefaultsTest, KeepsWhatIsGivenEvenWhenItIsZero) {
  const v1::ExperimentSpec given = FromText(R"pb(
    repetitions { adaptive { ci_halfwidth: 0.05 max: 9 } }
    service { page_bytes: 0 }
    target { vcpus: 4 }
    loadgen {
      connections: 8
      keepalive: false
      timeout { seconds: 1 }
    }
    sweep { instances: [ 3, 5 ] }
    retry { max_attempts: 1 }
    timeouts { prepare { seconds: 5 } }
  )pb");
  const v1::ExperimentSpec spec = WithDefaults(given);
  EXPECT_EQ(spec.repetitions().adaptive().min(), 6u);
  EXPECT_EQ(spec.repetitions().adaptive().max(), 9u);
  EXPECT_EQ(spec.service().page_bytes(), 0u);
  EXPECT_FALSE(spec.loadgen().keepalive());
  EXPECT_EQ(FromProto(spec.loadgen().timeout()), absl::Seconds(1));
  EXPECT_EQ(spec.retry().max_attempts(), 1u);
  EXPECT_EQ(FromProto(spec.timeouts().prepare()), absl::Seconds(5));
  EXPECT_EQ(FromProto(spec.timeouts().balance()), absl::Seconds(15));
  EXPECT_THAT(spec.sweep().instances(), ElementsAre(3, 5));
  // Sweep defaults follow the given target and load.
  EXPECT_THAT(spec.sweep().vcpus(), ElementsAre(4));
  EXPECT_THAT(spec.sweep().keepalive(), ElementsAre(false));
  EXPECT_THAT(spec.sweep().connections(), ElementsAre(8));
}

TEST(WithDefaultsTest, IsIdempotent) {
  const v1::ExperimentSpec once =
      WithDefaults(FromText(R"pb(loadgen { duration { seconds: 1 } })pb"));
  EXPECT_TRUE(MessageDifferencer::Equals(WithDefaults(once), once));
}

TEST(ResolvedTargetTest, MemoryDependsOnThePlatformUnlessGiven) {
  v1::ExperimentSpec spec;
  v1::Configuration config;
  config.set_vcpus(2);
  config.set_platform(v1::PLATFORM_QEMU);
  EXPECT_EQ(ResolvedTarget(spec, config).memory_mb(), 256u);
  EXPECT_EQ(ResolvedTarget(spec, config).vcpus(), 2u);
  config.set_platform(v1::PLATFORM_XEN);
  EXPECT_EQ(ResolvedTarget(spec, config).memory_mb(), 256u);
  config.set_platform(v1::PLATFORM_DOCKER);
  EXPECT_EQ(ResolvedTarget(spec, config).memory_mb(), 64u);
  config.set_platform(v1::PLATFORM_UNIKERNEL);
  EXPECT_EQ(ResolvedTarget(spec, config).memory_mb(), 64u);
  config.set_platform(v1::PLATFORM_NATIVE);
  EXPECT_EQ(ResolvedTarget(spec, config).memory_mb(), 64u);
  spec.mutable_target()->set_memory_mb(32);
  config.set_platform(v1::PLATFORM_XEN);
  EXPECT_EQ(ResolvedTarget(spec, config).memory_mb(), 32u);
}

TEST(ResolvedLoadTest, TakesConnectionsAndKeepaliveFromTheConfiguration) {
  const v1::ExperimentSpec spec = FromText(R"pb(
    loadgen {
      connections: 8
      keepalive: true
      duration { seconds: 3 }
    }
  )pb");
  v1::Configuration config;
  config.set_connections(50);
  config.set_keepalive(false);
  const v1::LoadSpec load = ResolvedLoad(spec, config);
  EXPECT_EQ(load.connections(), 50u);
  EXPECT_FALSE(load.keepalive());
  EXPECT_EQ(load.method(), "GET");
  EXPECT_EQ(FromProto(load.duration()), absl::Seconds(3));
}

TEST(RepetitionsTest, BoundsFollowThePolicy) {
  v1::RepetitionPolicy policy;
  EXPECT_EQ(MinRepetitions(policy), 1u);
  EXPECT_EQ(MaxRepetitions(policy), 1u);
  policy.set_count(10);
  EXPECT_EQ(MinRepetitions(policy), 10u);
  EXPECT_EQ(MaxRepetitions(policy), 10u);
  policy.mutable_adaptive()->set_max(30);
  EXPECT_EQ(MinRepetitions(policy), 6u);
  EXPECT_EQ(MaxRepetitions(policy), 30u);
  policy.mutable_adaptive()->set_min(8);
  EXPECT_EQ(MinRepetitions(policy), 8u);
}

TEST(DurationsTest, RoundTripsThroughProto) {
  for (absl::Duration d : {absl::ZeroDuration(), absl::Milliseconds(1500),
                           absl::Hours(2), absl::Nanoseconds(1)}) {
    EXPECT_EQ(FromProto(ToProto(d)), d);
  }
  EXPECT_EQ(DurationText(ToProto(absl::Milliseconds(500))), "500ms");
  EXPECT_EQ(DurationText(ToProto(absl::Seconds(90))), "1m30s");
}

}  // namespace
}  // namespace scalebench::spec
