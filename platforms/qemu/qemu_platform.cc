// PLATFORM_QEMU: one QEMU guest per target, KVM when usable, otherwise TCG
// (platforms/qemu/qemu_driver.h).
#include "platforms/qemu/qemu_platform.h"

#include "platforms/boot_image.h"
#include "platforms/platform.h"

namespace scalebench::platforms {
namespace {

class QemuPlatformDescription final : public PlatformDescription {
 public:
  v1::Platform id() const override { return v1::PLATFORM_QEMU; }
  absl::string_view DisplayName() const override { return "QEMU"; }
  uint32_t DefaultMemoryMb(const v1::TargetSpec&) const override {
    return kVmMemoryMb;
  }
  uint32_t MinMemoryMb() const override { return qemu::kMinMemoryMb; }
  uint32_t MaxVcpus() const override { return qemu::kMaxVcpus; }

  // QEMU takes -kernel and -initrd, where it would read a further comma
  // as another file.
  std::optional<FieldProblem> CheckImage(
      const v1::TargetSpec& target) const override {
    if (IsBuiltInImage(target.image())) return std::nullopt;
    return CheckBootImage(target.image(),
                          {DisplayName(), 2, "KERNEL or KERNEL,INITRD", false});
  }
};

}  // namespace

const PlatformDescription& QemuPlatform() {
  static const QemuPlatformDescription description;
  return description;
}

}  // namespace scalebench::platforms
