// What scalebench knows about one platform (native, docker, qemu, xen,
// unikernel), in one place: its spec defaults and checks, which platform's
// driver runs its targets (the placement rule), what makes it usable on a
// host, and how the CLI and the report name it. This is the part the spec,
// the coordinator and the CLI use; the part that builds a worker's driver
// is platforms/driver_factory.h, linked by the worker only. One
// implementation per folder platforms/NAME/, listed in
// platforms/platforms.def. Implementations are stateless; thread-safe.
#ifndef SCALEBENCH_PLATFORMS_PLATFORM_H_
#define SCALEBENCH_PLATFORMS_PLATFORM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/spec.pb.h"
#include "spec/limits.h"

namespace scalebench::platforms {

// Memory per target in MiB when target.memory_mb is not given: processes,
// containers and unikernels, then virtual machines.
inline constexpr uint32_t kSmallMemoryMb = 64;
inline constexpr uint32_t kVmMemoryMb = 256;

// One problem with a spec's field: its path in the YAML spelling of
// docs/spec.md ("target.image") and what is wrong with it.
struct FieldProblem {
  std::string path;
  std::string message;
};

// How a spec uses one platform, for the platform's own field checks.
struct PlatformUse {
  // sweep.platform lists it.
  bool swept = false;
  // Its driver runs some target of the sweep (itself swept, or a unikernel
  // on it).
  bool drives = false;
};

class PlatformDescription {
 public:
  virtual ~PlatformDescription() = default;

  // The API's value for it.
  virtual v1::Platform id() const = 0;
  // Its name in specs, on command lines, in the CLI's tables and in
  // reports: the enum's short name ("qemu"; api/enum_names.h).
  std::string Name() const;
  // Its name in prose messages ("QEMU", "Xen").
  virtual absl::string_view DisplayName() const = 0;

  // Which platform's driver runs a target of this platform: itself, or for
  // a unikernel the hypervisor `target` names. INVALID_ARGUMENT naming
  // target.hypervisor when it names none. This is the one rule: placement
  // (a host must list both) and the worker (which driver starts it) use it.
  virtual absl::StatusOr<v1::Platform> DriverPlatform(
      const v1::TargetSpec& target) const;
  // For a platform without a driver of its own: the platforms whose
  // drivers can run it; a host can run it when one of them is usable.
  // Empty (default) = it has a driver of its own.
  virtual std::vector<v1::Platform> HostedBy() const { return {}; }

  // Memory of one target in MiB when target.memory_mb is not given.
  virtual uint32_t DefaultMemoryMb(const v1::TargetSpec& target) const = 0;
  // The least memory and the most vCPUs of one target its driver runs.
  // Defaults 1 and spec::kMaxVcpus (spec/limits.h).
  virtual uint32_t MinMemoryMb() const { return 1; }
  virtual uint32_t MaxVcpus() const { return spec::kMaxVcpus; }
  // The image a target gets when target.image is empty: "" (default) =
  // the general image scalebench builds; "single-app" for a unikernel.
  virtual std::string DefaultImage() const { return ""; }

  // The TargetSpec fields this platform owns (xen: xen_type; unikernel:
  // hypervisor), checked for every spec, used or not: a field of a
  // platform the spec does not use is a problem too. Default: none.
  virtual std::optional<FieldProblem> CheckOwnFields(
      const v1::TargetSpec& target, PlatformUse use) const;
  // The form of a non-empty target.image, for a platform whose driver runs
  // some target of the spec. Default: anything.
  virtual std::optional<FieldProblem> CheckImage(
      const v1::TargetSpec& target) const;

  // How the CLI's worker table names it on a host with `facts`: Name(),
  // and what the facts say of it (a dom0's Xen version and free memory).
  virtual std::string DescribeOn(const v1::HostFacts& facts) const;
};

// Whether `image` names an image scalebench builds itself ("", "general"
// or "single-app") rather than a kernel path.
bool IsBuiltInImage(absl::string_view image);

}  // namespace scalebench::platforms

#endif  // SCALEBENCH_PLATFORMS_PLATFORM_H_
