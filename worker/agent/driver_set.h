// The target drivers and balancers a worker has, by platform and kind,
// with the version of the program behind each. Owns them. A platform
// without a driver of its own (a unikernel) runs on the driver its
// description names (platforms/registry.h DriverPlatform), and is usable
// when one of the platforms that host it is. Thread-compatible.
#ifndef SCALEBENCH_WORKER_AGENT_DRIVER_SET_H_
#define SCALEBENCH_WORKER_AGENT_DRIVER_SET_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/spec.pb.h"
#include "worker/balancers/balancer.h"
#include "worker/host_facts.h"
#include "worker/targets/target_driver.h"

namespace scalebench::worker {

// The program behind a driver or balancer and its version ("nginx",
// "1.22.1"); both empty when unknown.
struct ProgramInfo {
  std::string program;
  std::string version;
};

class DriverSet final {
 public:
  DriverSet() = default;
  DriverSet(const DriverSet&) = delete;
  DriverSet& operator=(const DriverSet&) = delete;

  void AddTarget(std::unique_ptr<TargetDriver> driver,
                 ProgramInfo version = {});
  // Records that `platform` has no driver here, and why (e.g. the Docker
  // engine could not be reached when the set was built).
  void AddMissingTarget(v1::Platform platform, std::string reason);
  void AddBalancer(std::unique_ptr<Balancer> balancer,
                   ProgramInfo version = {});

  // The driver that runs `platform` with `target` (for a unikernel, its
  // hypervisor's). INVALID_ARGUMENT when the platform names no driver
  // (a unikernel without target.hypervisor); FAILED_PRECONDITION when
  // this worker has none or it is not usable here, with the reason.
  // With `check_usable` false (a dry run), an unusable driver is returned
  // too: its plan can be shown on a host that cannot run it.
  absl::StatusOr<TargetDriver*> ForPlatform(v1::Platform platform,
                                            const v1::TargetSpec& target,
                                            bool check_usable = true);
  absl::StatusOr<Balancer*> ForBalancer(v1::BalancerKind kind,
                                        bool check_usable = true);

  // Recover() on every driver and balancer: what an earlier worker with
  // the same identity left is removed. Every one is tried; the first error
  // is returned.
  absl::Status RecoverAll();

  // Versions of the programs behind every driver and balancer ("nginx" ->
  // "1.22.1"), usable or not.
  std::map<std::string, std::string> versions() const;

  // Facts only some platform knows (a dom0's XenFacts), recorded by
  // whoever built the set; merged into the host's facts.
  v1::HostFacts& platform_facts() { return platform_facts_; }

  // Platforms and balancers whose CheckUsable() passes, with the program
  // and version behind each (none for a platform without a driver of its
  // own).
  std::vector<Capability> UsablePlatforms();
  std::vector<Capability> UsableBalancers();
  // The others, each with its reason: drivers and balancers whose
  // CheckUsable() fails, missing drivers, and platforms without a driver
  // of their own when none of their hosts is usable. Sorted by platform,
  // then balancer.
  std::vector<v1::Unavailable> Unavailable();

 private:
  template <typename T>
  struct Entry {
    std::unique_ptr<T> driver;
    ProgramInfo version;
  };
  std::map<v1::Platform, Entry<TargetDriver>> targets_;
  std::map<v1::BalancerKind, Entry<Balancer>> balancers_;
  std::map<v1::Platform, std::string> missing_;
  v1::HostFacts platform_facts_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_DRIVER_SET_H_
