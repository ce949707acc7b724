// Hosts and configurations for placement tests: a host offering some
// platforms and balancers, a configuration by its instances, hosts,
// balancer and platform, and the two balancer placements.
#ifndef SCALEBENCH_COORDINATOR_TRIALS_PLACEMENT_TEST_HOSTS_H_
#define SCALEBENCH_COORDINATOR_TRIALS_PLACEMENT_TEST_HOSTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/trials/placement.h"

namespace scalebench::coordinator {

inline CandidateHost Host(std::string id, std::vector<v1::Platform> platforms,
                          std::vector<v1::BalancerKind> balancers) {
  CandidateHost host;
  host.worker_id = std::move(id);
  for (v1::Platform p : platforms) host.facts.add_platforms(p);
  for (v1::BalancerKind b : balancers) host.facts.add_balancers(b);
  return host;
}

inline const PlacementRules kBesideTargets;
inline const PlacementRules kOwnHost{v1::BALANCER_PLACEMENT_OWN_HOST, ""};

inline v1::Configuration Config(uint32_t instances, uint32_t hosts,
                                v1::BalancerKind balancer,
                                v1::Platform platform = v1::PLATFORM_NATIVE) {
  v1::Configuration c;
  c.set_platform(platform);
  c.set_instances(instances);
  c.set_hosts(hosts);
  c.set_balancer(balancer);
  return c;
}

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_TRIALS_PLACEMENT_TEST_HOSTS_H_
