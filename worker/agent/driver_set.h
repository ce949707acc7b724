// The target drivers and balancers a worker has, by platform and kind.
// Owns them. PLATFORM_UNIKERNEL is not a driver of its own: it runs on the
// xen or qemu driver, as TargetSpec.hypervisor says. Thread-compatible.
#ifndef SCALEBENCH_WORKER_AGENT_DRIVER_SET_H_
#define SCALEBENCH_WORKER_AGENT_DRIVER_SET_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/spec.pb.h"
#include "worker/balancers/balancer.h"
#include "worker/targets/target_driver.h"

namespace scalebench::worker {

class DriverSet final {
 public:
  DriverSet() = default;
  DriverSet(const DriverSet&) = delete;
  DriverSet& operator=(const DriverSet&) = delete;

  void AddTarget(std::unique_ptr<TargetDriver> driver);
  // Records that `platform` has no driver here, and why (e.g. the Docker
  // engine could not be reached when the set was built).
  void AddMissingTarget(v1::Platform platform, std::string reason);
  void AddBalancer(std::unique_ptr<Balancer> balancer);

  // The driver that runs `platform` (for unikernels: the one `hypervisor`,
  // "xen" or "qemu", names). FAILED_PRECONDITION when this worker has none
  // or it is not usable here, with the reason.
  // With `check_usable` false (a dry run), an unusable driver is returned
  // too: its plan can be shown on a host that cannot run it.
  absl::StatusOr<TargetDriver*> ForPlatform(v1::Platform platform,
                                            const std::string& hypervisor,
                                            bool check_usable = true);
  absl::StatusOr<Balancer*> ForBalancer(v1::BalancerKind kind,
                                        bool check_usable = true);

  // Recover() on every driver and balancer: what an earlier worker with
  // the same identity left is removed. Every one is tried; the first error
  // is returned.
  absl::Status RecoverAll();

  // Versions of the programs behind the drivers ("nginx" -> "1.22.1"),
  // recorded by whoever built the set.
  void SetVersion(const std::string& program, const std::string& version) {
    versions_[program] = version;
  }
  const std::map<std::string, std::string>& versions() const {
    return versions_;
  }

  // The hypervisor under this host when it is a Xen dom0, recorded by
  // whoever built the set; unset otherwise.
  void set_xen(v1::XenFacts xen) { xen_ = std::move(xen); }
  const std::optional<v1::XenFacts>& xen() const { return xen_; }

  // Platforms and balancers whose CheckUsable() passes.
  std::vector<v1::Platform> UsablePlatforms();
  std::vector<v1::BalancerKind> UsableBalancers();
  // The others, each with its reason: drivers and balancers whose
  // CheckUsable() fails, missing drivers, and unikernels when neither
  // hypervisor is usable. Sorted by platform, then balancer.
  std::vector<v1::Unavailable> Unavailable();

 private:
  std::map<v1::Platform, std::unique_ptr<TargetDriver>> targets_;
  std::map<v1::BalancerKind, std::unique_ptr<Balancer>> balancers_;
  std::map<v1::Platform, std::string> missing_;
  std::map<std::string, std::string> versions_;
  std::optional<v1::XenFacts> xen_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_DRIVER_SET_H_
