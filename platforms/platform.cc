#include "platforms/platform.h"

#include "absl/strings/str_cat.h"
#include "api/enum_names.h"

namespace scalebench::platforms {

std::string PlatformDescription::Name() const { return api::EnumName(id()); }

absl::StatusOr<v1::Platform> PlatformDescription::DriverPlatform(
    const v1::TargetSpec&) const {
  return id();
}

std::optional<FieldProblem> PlatformDescription::CheckOwnFields(
    const v1::TargetSpec&, PlatformUse) const {
  return std::nullopt;
}

std::optional<FieldProblem> PlatformDescription::CheckImage(
    const v1::TargetSpec&) const {
  return std::nullopt;
}

std::string PlatformDescription::DescribeOn(const v1::HostFacts&) const {
  return Name();
}

bool IsBuiltInImage(absl::string_view image) {
  return image.empty() || image == "general" || image == "single-app";
}

}  // namespace scalebench::platforms
