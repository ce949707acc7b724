// A BalancerLaunch checked before any of it reaches a haproxy or nginx
// config: every endpoint parsed as host:port, the listen address, the
// algorithm, the health-check interval and the cores. Shared by the
// haproxy and nginx balancers. Pure functions; thread-safe.
#ifndef SCALEBENCH_WORKER_BALANCERS_BALANCER_LAUNCH_H_
#define SCALEBENCH_WORKER_BALANCERS_BALANCER_LAUNCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "worker/balancers/balancer.h"
#include "worker/endpoint.h"
#include "worker/owned_process.h"

namespace scalebench::worker {

struct CheckedBalancerLaunch {
  std::vector<HostPort> backends;  // In launch order.
  HostPort listen;
  // Worker processes or threads: one per core of launch.cpus, or without
  // cores one per online core of the host (then unpinned).
  uint32_t threads = 1;
};

// INVALID_ARGUMENT naming the field for: no endpoints, an endpoint or
// listen address that is not host:port (see worker/endpoint.h), port 0,
// an unspecified or unknown algorithm, a negative health-check interval,
// or a core outside 0..CPU_SETSIZE-1.
absl::StatusOr<CheckedBalancerLaunch> CheckBalancerLaunch(
    const BalancerLaunch& launch);

// Balancer pid files and prefixes: "<owner>-balancer[N]" under
// RUNTIME/balancers/, marked with `kind` ("haproxy", "nginx").
OwnedProcessKind BalancerProcessKind(const std::string& kind);

// What a balancer's Start() needs besides its plan (see
// OwnedProcessDriver::StartDetails): "balancer ID", the listen address of
// a launch Plan() accepted, `subdirs` and `log_path`.
absl::StatusOr<OwnedProcesses::PlannedStart> BalancerStart(
    const BalancerLaunch& launch, std::vector<std::string> subdirs,
    std::string log_path);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_BALANCERS_BALANCER_LAUNCH_H_
