#include "spec/platform_checks.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "platforms/registry.h"
#include "spec/limits.h"

namespace scalebench::spec {
namespace {

// The platforms the sweep lists, and those whose drivers run them (a
// unikernel's hypervisor when target.hypervisor names one).
struct SweptPlatforms {
  absl::flat_hash_set<v1::Platform> swept;
  absl::flat_hash_set<v1::Platform> driven;
};

SweptPlatforms Swept(const v1::ExperimentSpec& spec) {
  SweptPlatforms out;
  for (int p : spec.sweep().platform()) {
    const auto platform = static_cast<v1::Platform>(p);
    out.swept.insert(platform);
    absl::StatusOr<v1::Platform> driver =
        platforms::DriverPlatform(platform, spec.target());
    if (driver.ok()) out.driven.insert(*driver);
  }
  return out;
}

std::optional<SpecProblem> FromField(
    const std::optional<platforms::FieldProblem>& problem) {
  if (!problem.has_value()) return std::nullopt;
  return SpecProblem{problem->path, problem->message};
}

}  // namespace

TargetBounds TargetBoundsOf(const v1::ExperimentSpec& spec) {
  TargetBounds bounds;
  bounds.max_vcpus = kMaxVcpus;
  const SweptPlatforms platforms = Swept(spec);
  for (const platforms::PlatformDescription* p : platforms::AllPlatforms()) {
    if (!platforms.driven.contains(p->id())) continue;
    if (p->MaxVcpus() < bounds.max_vcpus) {
      bounds.max_vcpus = p->MaxVcpus();
      bounds.vcpus_why = absl::StrCat(" (", p->DisplayName(), "'s limit)");
    }
    bounds.min_memory_mb = std::max(bounds.min_memory_mb, p->MinMemoryMb());
  }
  return bounds;
}

std::optional<SpecProblem> CheckPlatformFields(const v1::ExperimentSpec& spec) {
  const SweptPlatforms platforms = Swept(spec);
  for (const platforms::PlatformDescription* p : platforms::AllPlatforms()) {
    platforms::PlatformUse use;
    use.swept = platforms.swept.contains(p->id());
    use.drives = platforms.driven.contains(p->id());
    if (auto problem = FromField(p->CheckOwnFields(spec.target(), use))) {
      return problem;
    }
  }
  for (const platforms::PlatformDescription* p : platforms::AllPlatforms()) {
    if (!platforms.driven.contains(p->id())) continue;
    if (auto problem = FromField(p->CheckImage(spec.target()))) return problem;
  }
  return std::nullopt;
}

}  // namespace scalebench::spec
