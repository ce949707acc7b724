// PLATFORM_NATIVE: a private nginx process on the host, pinned with
// sched_setaffinity (platforms/native/native_driver.h).
#include "platforms/platform.h"

namespace scalebench::platforms {
namespace {

class NativePlatformDescription final : public PlatformDescription {
 public:
  v1::Platform id() const override { return v1::PLATFORM_NATIVE; }
  absl::string_view DisplayName() const override { return "native process"; }
  uint32_t DefaultMemoryMb(const v1::TargetSpec&) const override {
    return kSmallMemoryMb;
  }
};

}  // namespace

const PlatformDescription& NativePlatform() {
  static const NativePlatformDescription description;
  return description;
}

}  // namespace scalebench::platforms
