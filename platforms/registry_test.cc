#include "platforms/registry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platforms/qemu/qemu_platform.h"

namespace scalebench::platforms {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::TargetSpec OnHypervisor(const std::string& hypervisor) {
  v1::TargetSpec target;
  target.set_hypervisor(hypervisor);
  return target;
}

TEST(RegistryTest, EveryApiPlatformHasOneDescriptionInTheApiOrder) {
  std::vector<v1::Platform> ids;
  for (const PlatformDescription* p : AllPlatforms()) ids.push_back(p->id());
  EXPECT_THAT(ids, ElementsAre(v1::PLATFORM_NATIVE, v1::PLATFORM_DOCKER,
                               v1::PLATFORM_QEMU, v1::PLATFORM_XEN,
                               v1::PLATFORM_UNIKERNEL));
  EXPECT_EQ(FindPlatform(v1::PLATFORM_UNSPECIFIED), nullptr);
  EXPECT_EQ(FindPlatform(v1::PLATFORM_QEMU)->Name(), "qemu");
  EXPECT_EQ(PlatformName(v1::PLATFORM_UNIKERNEL), "unikernel");
}

// The one rule for which driver runs a target: a platform's own, or for a
// unikernel the hypervisor's; nothing else (issue 19 found three rules).
TEST(RegistryTest, AUnikernelRunsOnTheHypervisorItNamesAndNoOther) {
  EXPECT_EQ(*DriverPlatform(v1::PLATFORM_UNIKERNEL, OnHypervisor("xen")),
            v1::PLATFORM_XEN);
  EXPECT_EQ(*DriverPlatform(v1::PLATFORM_UNIKERNEL, OnHypervisor("qemu")),
            v1::PLATFORM_QEMU);
  const absl::StatusOr<v1::Platform> none =
      DriverPlatform(v1::PLATFORM_UNIKERNEL, OnHypervisor(""));
  EXPECT_TRUE(absl::IsInvalidArgument(none.status()));
  EXPECT_THAT(none.status().message(), HasSubstr("target.hypervisor"));
  EXPECT_TRUE(absl::IsInvalidArgument(
      DriverPlatform(v1::PLATFORM_UNIKERNEL, OnHypervisor("kvm")).status()));
  // Other platforms run on their own driver, whatever the hypervisor says.
  EXPECT_EQ(*DriverPlatform(v1::PLATFORM_DOCKER, OnHypervisor("xen")),
            v1::PLATFORM_DOCKER);
  EXPECT_TRUE(absl::IsInvalidArgument(
      DriverPlatform(v1::PLATFORM_UNSPECIFIED, {}).status()));
}

TEST(RegistryTest, AHostRunsAUnikernelWhenItListsItAndItsHypervisor) {
  EXPECT_THAT(*HostPlatforms(v1::PLATFORM_UNIKERNEL, OnHypervisor("xen")),
              ElementsAre(v1::PLATFORM_UNIKERNEL, v1::PLATFORM_XEN));
  EXPECT_THAT(*HostPlatforms(v1::PLATFORM_QEMU, {}),
              ElementsAre(v1::PLATFORM_QEMU));
}

// Issue 19: a unikernel's default memory was 64 MiB, which the qemu driver
// refuses; it follows the hypervisor's least.
TEST(RegistryTest, AUnikernelsDefaultMemoryIsEnoughForItsHypervisor) {
  EXPECT_EQ(DefaultMemoryMb(v1::PLATFORM_UNIKERNEL, OnHypervisor("qemu")),
            qemu::kMinMemoryMb);
  EXPECT_EQ(DefaultMemoryMb(v1::PLATFORM_UNIKERNEL, OnHypervisor("xen")), 64u);
  EXPECT_EQ(DefaultMemoryMb(v1::PLATFORM_QEMU, {}), 256u);
  EXPECT_EQ(DefaultMemoryMb(v1::PLATFORM_XEN, {}), 256u);
  EXPECT_EQ(DefaultMemoryMb(v1::PLATFORM_NATIVE, {}), 64u);
  EXPECT_EQ(DefaultMemoryMb(v1::PLATFORM_DOCKER, {}), 64u);
}

TEST(RegistryTest, ADom0DescribesItsXen) {
  v1::HostFacts facts;
  EXPECT_EQ(DescribeOn(v1::PLATFORM_XEN, facts), "xen");
  v1::XenFacts& xen = *facts.mutable_xen();
  xen.set_version("4.17.3");
  xen.set_nr_cpus(4);
  xen.set_free_memory_mb(1024);
  EXPECT_EQ(DescribeOn(v1::PLATFORM_XEN, facts),
            "xen (4.17.3, 4 cpus, 1024 MiB free)");
  EXPECT_EQ(DescribeOn(v1::PLATFORM_QEMU, facts), "qemu");
}

}  // namespace
}  // namespace scalebench::platforms
