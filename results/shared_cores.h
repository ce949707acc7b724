// Which cores a host shared between the processes of one trial: the
// quickstart on two cores pins four nginx targets, haproxy and the load
// generator to cores 0 and 1, and its throughput then measures how this
// machine shares its cores, not how the platform scales. Read from each
// host's stored pinning (HostEnvironment.pinning, role -> cores).
// Stateless; thread-safe.
#ifndef SCALEBENCH_RESULTS_SHARED_CORES_H_
#define SCALEBENCH_RESULTS_SHARED_CORES_H_

#include <string>
#include <vector>

#include "scalebench/v1/results.pb.h"

namespace scalebench::results {

// One core that two or more roles of a host were pinned to.
struct SharedCore {
  std::string worker_id;
  int cpu = 0;
  // The roles on it, in name order ("loadgen", "target/0", "target/2").
  std::vector<std::string> roles;
};

// Every core shared by two or more roles on a host of `trial`, by worker
// then core. A role whose cores do not parse (not a core list) is left
// out rather than guessed at.
std::vector<SharedCore> SharedCores(const v1::TrialResult& trial);

}  // namespace scalebench::results

#endif  // SCALEBENCH_RESULTS_SHARED_CORES_H_
