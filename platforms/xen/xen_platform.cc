// PLATFORM_XEN: a Xen domain per target, started with `xl` from the dom0
// the worker runs in (platforms/xen/xen_driver.h, docs/xen.md).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/echo_text.h"
#include "platforms/boot_image.h"
#include "platforms/platform.h"

namespace scalebench::platforms {
namespace {

// The least memory a Xen guest boots with, MiB.
constexpr uint32_t kMinXenMemoryMb = 8;
// Guest types, as xl.cfg spells them.
const char* const kXenTypes[] = {"pvh", "pv", "hvm"};

class XenPlatformDescription final : public PlatformDescription {
 public:
  v1::Platform id() const override { return v1::PLATFORM_XEN; }
  absl::string_view DisplayName() const override { return "Xen"; }
  uint32_t DefaultMemoryMb(const v1::TargetSpec&) const override {
    return kVmMemoryMb;
  }
  uint32_t MinMemoryMb() const override { return kMinXenMemoryMb; }

  // target.xen_type: a guest type, and only for Xen guests.
  std::optional<FieldProblem> CheckOwnFields(const v1::TargetSpec& target,
                                             PlatformUse use) const override {
    const std::string& type = target.xen_type();
    if (type.empty()) return std::nullopt;
    bool known = false;
    for (const char* t : kXenTypes) known = known || type == t;
    if (!known) {
      return FieldProblem{"target.xen_type",
                          absl::StrCat(QuoteValue(type), " is not one of ",
                                       absl::StrJoin(kXenTypes, ", "))};
    }
    if (!use.drives) {
      return FieldProblem{
          "target.xen_type",
          "is only for Xen guests: sweep.platform has neither xen nor "
          "unikernel with target.hypervisor xen"};
    }
    return std::nullopt;
  }

  // xl settings take absolute paths of plain characters only; an hvm
  // guest boots one disk.
  std::optional<FieldProblem> CheckImage(
      const v1::TargetSpec& target) const override {
    if (IsBuiltInImage(target.image())) return std::nullopt;
    const bool hvm = target.xen_type() == "hvm";
    return CheckBootImage(target.image(),
                          {DisplayName(), hvm ? 1u : 2u,
                           hvm ? "DISK (a Xen hvm guest's disk image)"
                               : "KERNEL or KERNEL,INITRD",
                           true});
  }

  // A dom0 says which Xen and how much of it is free.
  std::string DescribeOn(const v1::HostFacts& facts) const override {
    if (!facts.has_xen()) return Name();
    const v1::XenFacts& xen = facts.xen();
    return absl::StrCat(Name(), " (", xen.version(), ", ", xen.nr_cpus(),
                        " cpus, ", xen.free_memory_mb(), " MiB free)");
  }
};

}  // namespace

const PlatformDescription& XenPlatform() {
  static const XenPlatformDescription description;
  return description;
}

}  // namespace scalebench::platforms
