// Every platform this build knows (platforms.def), by its API value, and
// the rules that span them: which driver runs a target, which platforms a
// host must list to run it, and a target's default memory. Thread-safe.
#ifndef SCALEBENCH_PLATFORMS_REGISTRY_H_
#define SCALEBENCH_PLATFORMS_REGISTRY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "platforms/platform.h"
#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::platforms {

// Every description, in the API's order.
const std::vector<const PlatformDescription*>& AllPlatforms();

// The description of `platform`; null for one this build does not know
// (PLATFORM_UNSPECIFIED included).
const PlatformDescription* FindPlatform(v1::Platform platform);

// The platform whose driver runs a target of `platform` with `target`
// (PlatformDescription::DriverPlatform). INVALID_ARGUMENT for an unknown
// platform or a unikernel without a hypervisor.
absl::StatusOr<v1::Platform> DriverPlatform(v1::Platform platform,
                                            const v1::TargetSpec& target);

// The placement rule: what a host must list in HostFacts.platforms to run
// a target of `platform` with `target`: the platform, then its driver's
// platform when that is another (a unikernel on xen: unikernel, xen).
// The errors of DriverPlatform.
absl::StatusOr<std::vector<v1::Platform>> HostPlatforms(
    v1::Platform platform, const v1::TargetSpec& target);

// Memory of one target of `platform` in MiB when target.memory_mb is not
// given; kSmallMemoryMb for an unknown platform.
uint32_t DefaultMemoryMb(v1::Platform platform, const v1::TargetSpec& target);

// How the CLI and the report name `platform`: api::EnumName's spelling.
std::string PlatformName(v1::Platform platform);

// How the CLI's worker table names `platform` on a host with `facts`
// (PlatformDescription::DescribeOn); PlatformName for an unknown one.
std::string DescribeOn(v1::Platform platform, const v1::HostFacts& facts);

}  // namespace scalebench::platforms

#endif  // SCALEBENCH_PLATFORMS_REGISTRY_H_
