#include "worker/agent/driver_set.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "worker/testing/fake_target_driver.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// What a worker reports it cannot run: each unusable driver with its
// reason, a driver that could not be made, and unikernels when neither
// hypervisor is usable; never what it can run.
TEST(DriverSetTest, UnavailableNamesEachPlatformItCannotRunAndWhy) {
  DriverSet drivers;
  drivers.AddTarget(std::make_unique<testing::FakeTargetDriver>());
  auto qemu = std::make_unique<testing::FakeTargetDriver>(v1::PLATFORM_QEMU);
  qemu->unusable = "qemu-system-x86_64: not found";
  drivers.AddTarget(std::move(qemu));
  auto xen = std::make_unique<testing::FakeTargetDriver>(v1::PLATFORM_XEN);
  xen->unusable = "xl: not found";
  drivers.AddTarget(std::move(xen));
  drivers.AddMissingTarget(v1::PLATFORM_DOCKER, "the engine does not answer");
  drivers.AddBalancer(std::make_unique<testing::FakeBalancer>());

  const std::vector<Capability> usable = drivers.UsablePlatforms();
  ASSERT_EQ(usable.size(), 1u);
  EXPECT_EQ(usable[0].kind, v1::PLATFORM_NATIVE);
  const std::vector<v1::Unavailable> unavailable = drivers.Unavailable();
  ASSERT_EQ(unavailable.size(), 4u);
  EXPECT_EQ(unavailable[0].platform(), v1::PLATFORM_DOCKER);
  EXPECT_EQ(unavailable[0].reason(), "the engine does not answer");
  EXPECT_EQ(unavailable[1].platform(), v1::PLATFORM_QEMU);
  EXPECT_EQ(unavailable[1].reason(), "qemu-system-x86_64: not found");
  EXPECT_EQ(unavailable[2].platform(), v1::PLATFORM_XEN);
  EXPECT_EQ(unavailable[3].platform(), v1::PLATFORM_UNIKERNEL);
  EXPECT_THAT(unavailable[3].reason(), HasSubstr("qemu: qemu-system"));
  EXPECT_THAT(unavailable[3].reason(), HasSubstr("xen: xl: not found"));
}

TEST(DriverSetTest, AUsableHypervisorRunsUnikernels) {
  DriverSet drivers;
  drivers.AddTarget(
      std::make_unique<testing::FakeTargetDriver>(v1::PLATFORM_QEMU));
  auto xen = std::make_unique<testing::FakeTargetDriver>(v1::PLATFORM_XEN);
  xen->unusable = "xl: not found";
  drivers.AddTarget(std::move(xen));
  const std::vector<v1::Unavailable> unavailable = drivers.Unavailable();
  ASSERT_EQ(unavailable.size(), 1u);
  EXPECT_EQ(unavailable[0].platform(), v1::PLATFORM_XEN);
}

TEST(DriverSetTest, NothingIsUnavailableWhenEverythingRuns) {
  DriverSet drivers;
  drivers.AddTarget(
      std::make_unique<testing::FakeTargetDriver>(v1::PLATFORM_QEMU));
  drivers.AddBalancer(std::make_unique<testing::FakeBalancer>());
  EXPECT_THAT(drivers.Unavailable(), IsEmpty());
}

}  // namespace
}  // namespace scalebench::worker

namespace scalebench::worker {
namespace {

// A capability carries the version its driver's probe found, so the host
// facts name what runs each usable platform and balancer (and only those).
TEST(DriverSetTest, CapabilitiesCarryTheVersionsOfWhatRunsThem) {
  DriverSet drivers;
  drivers.AddTarget(std::make_unique<testing::FakeTargetDriver>(),
                    {"nginx", "1.22.1"});
  auto qemu = std::make_unique<testing::FakeTargetDriver>(v1::PLATFORM_QEMU);
  qemu->unusable = "no images";
  drivers.AddTarget(std::move(qemu), {"qemu", "7.2.0"});
  drivers.AddBalancer(std::make_unique<testing::FakeBalancer>(),
                      {"haproxy", "2.6.12"});

  const std::vector<Capability> platforms = drivers.UsablePlatforms();
  ASSERT_EQ(platforms.size(), 1u);
  EXPECT_EQ(platforms[0].program, "nginx");
  EXPECT_EQ(platforms[0].version, "1.22.1");
  const v1::HostFacts facts =
      MakeHostFacts({}, {}, platforms, drivers.UsableBalancers(), {0});
  EXPECT_EQ(facts.environment().versions().at("nginx"), "1.22.1");
  EXPECT_EQ(facts.environment().versions().at("haproxy"), "2.6.12");
  EXPECT_EQ(facts.environment().versions().count("qemu"), 0u);
  // A trial's environment names every program, usable or not.
  EXPECT_EQ(drivers.versions().at("qemu"), "7.2.0");
}

}  // namespace
}  // namespace scalebench::worker
