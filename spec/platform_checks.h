// The parts of spec validation that depend on the sweep's platforms, each
// asked of its description (platforms/platform.h): the bounds of one
// target, the fields a platform owns (xen_type, hypervisor) and the form
// of a kernel image. Used by validate.cc. Stateless; thread-safe.
#ifndef SCALEBENCH_SPEC_PLATFORM_CHECKS_H_
#define SCALEBENCH_SPEC_PLATFORM_CHECKS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "scalebench/v1/spec.pb.h"
#include "spec/validate.h"

namespace scalebench::spec {

// What the platforms whose drivers run the sweep's targets allow of one
// target.
struct TargetBounds {
  // The most vCPUs, and whose limit that is for messages (" (QEMU's
  // limit)"; empty for the general kMaxVcpus).
  uint32_t max_vcpus = 0;
  std::string vcpus_why;
  // The least memory in MiB, 1 without a guest.
  uint32_t min_memory_mb = 1;
};
TargetBounds TargetBoundsOf(const v1::ExperimentSpec& spec);

// The first problem with the target fields platforms own, then with
// target.image's form for each platform whose driver runs a target of the
// sweep, in the registry's order; nullopt when there is none.
std::optional<SpecProblem> CheckPlatformFields(const v1::ExperimentSpec& spec);

}  // namespace scalebench::spec

#endif  // SCALEBENCH_SPEC_PLATFORM_CHECKS_H_
