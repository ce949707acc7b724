#include "platforms/registry.h"

#include "absl/strings/str_cat.h"
#include "api/enum_names.h"

namespace scalebench::platforms {

// Each folder's description, as platforms.def lists them.
#define SCALEBENCH_PLATFORM(Name) const PlatformDescription& Name##Platform();
#include "platforms/platforms.def"
#undef SCALEBENCH_PLATFORM

const std::vector<const PlatformDescription*>& AllPlatforms() {
  static const auto* const all = new std::vector<const PlatformDescription*>{
#define SCALEBENCH_PLATFORM(Name) &Name##Platform(),
#include "platforms/platforms.def"
#undef SCALEBENCH_PLATFORM
  };
  return *all;
}

const PlatformDescription* FindPlatform(v1::Platform platform) {
  for (const PlatformDescription* p : AllPlatforms()) {
    if (p->id() == platform) return p;
  }
  return nullptr;
}

absl::StatusOr<v1::Platform> DriverPlatform(v1::Platform platform,
                                            const v1::TargetSpec& target) {
  const PlatformDescription* description = FindPlatform(platform);
  if (description == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("platform ", static_cast<int>(platform),
                     " is not one this build knows"));
  }
  return description->DriverPlatform(target);
}

absl::StatusOr<std::vector<v1::Platform>> HostPlatforms(
    v1::Platform platform, const v1::TargetSpec& target) {
  absl::StatusOr<v1::Platform> driver = DriverPlatform(platform, target);
  if (!driver.ok()) return driver.status();
  std::vector<v1::Platform> platforms = {platform};
  if (*driver != platform) platforms.push_back(*driver);
  return platforms;
}

uint32_t DefaultMemoryMb(v1::Platform platform, const v1::TargetSpec& target) {
  const PlatformDescription* description = FindPlatform(platform);
  return description == nullptr ? kSmallMemoryMb
                                : description->DefaultMemoryMb(target);
}

std::string PlatformName(v1::Platform platform) {
  return api::EnumName(platform);
}

std::string DescribeOn(v1::Platform platform, const v1::HostFacts& facts) {
  const PlatformDescription* description = FindPlatform(platform);
  return description == nullptr ? PlatformName(platform)
                                : description->DescribeOn(facts);
}

}  // namespace scalebench::platforms
