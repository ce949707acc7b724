// Which host cores each role of a trial gets: every target its vCPUs, the
// balancer (if any) and the load generator theirs. Disjoint when the host
// has enough cores; otherwise shared round-robin, and the map says so
// (`overcommitted`): nothing refuses silently and nothing pretends.
// Pure functions; thread-safe.
#ifndef SCALEBENCH_WORKER_CORES_H_
#define SCALEBENCH_WORKER_CORES_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace scalebench::worker {

struct CoreRequest {
  // Targets on this host and the vCPUs of each.
  int targets = 0;
  int vcpus_per_target = 1;
  // Cores for the balancer; 0 = no balancer here.
  int balancer_cores = 0;
  // Cores for the load generator; 0 = no load generator here.
  int loadgen_cores = 0;
};

struct CoreMap {
  // Per target, in instance order, `vcpus_per_target` cores each.
  std::vector<std::vector<int>> targets;
  std::vector<int> balancer;
  std::vector<int> loadgen;
  // Some core serves more than one vCPU or role.
  bool overcommitted = false;
  // Role name to its cores for HostEnvironment.pinning: "target/0" -> "1",
  // "balancer" -> "0", "loadgen" -> "0,1".
  std::map<std::string, std::string> Pinning() const;
};

// Allocates from `host_cpus` (the cores the operator lets scalebench use,
// ascending). The load generator takes the first cores, then the balancer,
// then the targets, so that with enough cores each role has its own. When
// the demand exceeds the cores, each role still gets the number it asked
// for, assigned round-robin over all of them, and `overcommitted` is set.
// INVALID_ARGUMENT when `host_cpus` is empty or a count is negative.
absl::StatusOr<CoreMap> AllocateCores(const std::vector<int>& host_cpus,
                                      const CoreRequest& request);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_CORES_H_
