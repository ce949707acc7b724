// PLATFORM_UNIKERNEL: a unikernel image (Rumprun, MirageOS, Unikraft; the
// built-in "single-app" stand-in by default) on the hypervisor that
// TargetSpec.hypervisor names. It has no driver of its own: the xen or
// qemu driver runs it.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/enum_names.h"
#include "common/echo_text.h"
#include "platforms/platform.h"
#include "platforms/registry.h"

namespace scalebench::platforms {
namespace {

constexpr char kHypervisorField[] = "target.hypervisor";

class UnikernelPlatformDescription final : public PlatformDescription {
 public:
  v1::Platform id() const override { return v1::PLATFORM_UNIKERNEL; }
  absl::string_view DisplayName() const override { return "unikernel"; }

  // The hypervisor target.hypervisor names, by its platform's name.
  absl::StatusOr<v1::Platform> DriverPlatform(
      const v1::TargetSpec& target) const override {
    for (v1::Platform p : HostedBy()) {
      if (target.hypervisor() == api::EnumName(p)) return p;
    }
    if (target.hypervisor().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kHypervisorField, " is required for platform ", Name(),
                       ": one of ", Hypervisors()));
    }
    return absl::InvalidArgumentError(
        absl::StrCat(kHypervisorField, " ", QuoteValue(target.hypervisor()),
                     " is not one of ", Hypervisors()));
  }
  std::vector<v1::Platform> HostedBy() const override {
    return {v1::PLATFORM_XEN, v1::PLATFORM_QEMU};
  }

  // A unikernel is small, but gets at least what its hypervisor boots a
  // guest with (QEMU's 128 MiB; Xen's 8 leave it 64).
  uint32_t DefaultMemoryMb(const v1::TargetSpec& target) const override {
    uint32_t memory = kSmallMemoryMb;
    if (absl::StatusOr<v1::Platform> driver = DriverPlatform(target);
        driver.ok()) {
      if (const PlatformDescription* d = FindPlatform(*driver)) {
        memory = std::max(memory, d->MinMemoryMb());
      }
    }
    return memory;
  }
  std::string DefaultImage() const override { return "single-app"; }

  // target.hypervisor: required with a unikernel, refused without one.
  std::optional<FieldProblem> CheckOwnFields(const v1::TargetSpec& target,
                                             PlatformUse use) const override {
    if (target.hypervisor().empty()) {
      if (!use.swept) return std::nullopt;
      return FieldProblem{kHypervisorField,
                          absl::StrCat("is required when sweep.platform has ",
                                       Name(), ": one of ", Hypervisors())};
    }
    if (!DriverPlatform(target).ok()) {
      return FieldProblem{kHypervisorField,
                          absl::StrCat(QuoteValue(target.hypervisor()),
                                       " is not one of ", Hypervisors())};
    }
    if (!use.swept) {
      return FieldProblem{kHypervisorField,
                          absl::StrCat("is only for platform ", Name(),
                                       ", which sweep.platform does not have")};
    }
    return std::nullopt;
  }

 private:
  std::string Hypervisors() const {
    std::vector<std::string> names;
    for (v1::Platform p : HostedBy()) names.push_back(api::EnumName(p));
    return absl::StrJoin(names, ", ");
  }
};

}  // namespace

const PlatformDescription& UnikernelPlatform() {
  static const UnikernelPlatformDescription description;
  return description;
}

}  // namespace scalebench::platforms
