#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platforms/driver_factory.h"
#include "platforms/registry.h"

namespace scalebench::platforms {
namespace {

// Registered in one line, a platform has both parts.
TEST(DriverRegistryTest, EveryDescriptionHasItsWorkerPart) {
  ASSERT_EQ(AllDriverFactories().size(), AllPlatforms().size());
  for (const PlatformDescription* p : AllPlatforms()) {
    const DriverFactory* factory = FindDriverFactory(p->id());
    ASSERT_NE(factory, nullptr) << p->Name();
    EXPECT_EQ(factory->platform(), p->id());
  }
}

TEST(DriverRegistryTest, AUnikernelHasNoDriverOfItsOwn) {
  const MadeDriver made =
      FindDriverFactory(v1::PLATFORM_UNIKERNEL)->Make({}, {});
  EXPECT_EQ(made.driver, nullptr);
  EXPECT_EQ(made.missing, "");
}

TEST(DriverRegistryTest, AXenGuestHasAnAddressOfItsOwnOnPort80) {
  worker::TargetLaunch launch;
  launch.index = 2;
  launch.listen_address = "127.0.0.1";
  launch.port = 20001;
  v1::TargetSpec target;
  target.set_xen_type("pv");
  FindDriverFactory(v1::PLATFORM_XEN)
      ->ShapeLaunch(target, "single-app", &launch);
  EXPECT_EQ(launch.listen_address, "10.200.0.12");
  EXPECT_EQ(launch.port, 80);
  EXPECT_EQ(launch.image, "single-app");
  EXPECT_EQ(launch.variant, "pv");
  FindDriverFactory(v1::PLATFORM_XEN)->ShapeLaunch({}, "", &launch);
  EXPECT_EQ(launch.variant, "pvh");
}

TEST(DriverRegistryTest, AQemuBuiltInImageIsAVariantAndAnyOtherAKernel) {
  const DriverFactory& qemu = *FindDriverFactory(v1::PLATFORM_QEMU);
  worker::TargetLaunch launch;
  qemu.ShapeLaunch({}, "", &launch);
  EXPECT_EQ(launch.variant, "general");
  EXPECT_EQ(launch.image, "");
  qemu.ShapeLaunch({}, "single-app", &launch);
  EXPECT_EQ(launch.variant, "single-app");
  worker::TargetLaunch kernel;
  qemu.ShapeLaunch({}, "/boot/k,/boot/i", &kernel);
  EXPECT_EQ(kernel.image, "/boot/k,/boot/i");
  EXPECT_EQ(kernel.variant, "");
}

}  // namespace
}  // namespace scalebench::platforms
