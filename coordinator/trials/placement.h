// Which hosts play which role in one attempt of a trial. A configuration
// with `hosts` = H spreads its instances over H target hosts (the first
// instances % H of them get one more). Every target host also generates
// load, all at the same instant T0: against the balancer when there is
// one, otherwise against its own targets (the coordinator merges what they
// measured). The balancer runs where the spec's placement says: on the
// first target host (BALANCER_PLACEMENT_TARGET_HOST), or on a host of its
// own that runs nothing else (BALANCER_PLACEMENT_OWN_HOST). With several
// hosts it starts once every host's targets answer, in front of all of
// them. So a configuration needs H hosts, or H + 1 with a balancer of its
// own, and adding a target host adds targets and load generation in the
// same proportion. A host runs one trial at a time. Pure functions;
// thread-safe.
#ifndef SCALEBENCH_COORDINATOR_TRIALS_PLACEMENT_H_
#define SCALEBENCH_COORDINATOR_TRIALS_PLACEMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "google/protobuf/map.h"
#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::coordinator {

// Role names in Attempt.placement: "target/0".."target/H-1", "balancer",
// "loadgen/0"...
inline constexpr char kTargetRole[] = "target";
inline constexpr char kBalancerRole[] = "balancer";
inline constexpr char kLoadgenRole[] = "loadgen";

// A worker that could take part: idle, synchronizing, not reserved.
struct CandidateHost {
  std::string worker_id;
  v1::HostFacts facts;
};

// What one host does in an attempt.
struct HostRoles {
  std::string worker_id;
  // Targets it runs: at least one on a target host, none on a host of the
  // balancer's own.
  uint32_t targets = 0;
  // Its index among the target hosts; -1 on a host of the balancer's own.
  int target_host = -1;
  bool balancer = false;
  bool loadgen = false;
};

struct Placement {
  // One entry per host: the target hosts in order, then the balancer's
  // own host if it has one.
  std::vector<HostRoles> hosts;

  // As stored in Attempt.placement: role -> worker id.
  google::protobuf::Map<std::string, std::string> Roles() const;
  // The host running the balancer; null without one.
  const HostRoles* BalancerHost() const;
  // Whether `worker_id` takes part.
  bool Includes(const std::string& worker_id) const;
};

// What a spec asks of placement beyond its configurations.
struct PlacementRules {
  // Where the balancer runs (PlacementSpec.balancer).
  v1::BalancerPlacement balancer = v1::BALANCER_PLACEMENT_TARGET_HOST;
  // TargetSpec.hypervisor: for PLATFORM_UNIKERNEL, what runs it. A target
  // host must also list that platform (platforms/registry.h HostPlatforms),
  // since a host lists unikernel when it runs either.
  std::string unikernel_hypervisor;

  static PlacementRules FromSpec(const v1::ExperimentSpec& spec);
};

// Whether the configuration puts a balancer in front of its targets.
bool HasBalancer(const v1::Configuration& configuration);

// How many distinct hosts `configuration` needs: its `hosts` (at least 1),
// plus one when its balancer runs on a host of its own.
uint32_t HostsNeeded(const v1::Configuration& configuration,
                     const PlacementRules& rules);

// Whether the configuration can ever be placed, whatever hosts exist:
// INVALID_ARGUMENT when it has fewer instances than hosts (a target host
// would have nothing to run).
absl::Status CheckPlaceable(const v1::Configuration& configuration);

// Chooses hosts among `candidates` (in their order, which the caller makes
// deterministic). Every target host must list the platform in its facts
// (for a unikernel, also its hypervisor's platform: HostPlatforms, which
// errs with INVALID_ARGUMENT for a unikernel without one); the balancer's host
// (the first target host, or a host of its own as `rules` say) the
// balancer kind. Hosts in `avoid` (those an
// earlier attempt of the trial failed on) are taken only when no other host
// qualifies. RESOURCE_EXHAUSTED saying what is missing when not enough
// suitable candidates are free now; the errors of CheckPlaceable.
absl::StatusOr<Placement> PlaceTrial(
    const v1::Configuration& configuration, const PlacementRules& rules,
    absl::Span<const CandidateHost> candidates,
    const absl::flat_hash_set<std::string>& avoid);

// Whether `configuration` could be placed on `hosts` were they all idle:
// OK, or FAILED_PRECONDITION saying what is missing: no worker at all, or
// PlaceTrial's reason followed by what each host said it cannot run of
// what the configuration needs ("local: platform xen: xl: not found"),
// each reason on one line and clipped to 200 bytes, at most 8 of them.
absl::Status CheckPlaceableOn(const v1::Configuration& configuration,
                              const PlacementRules& rules,
                              absl::Span<const CandidateHost> hosts);

// What of `configurations` the `hosts` could never run, were they all idle:
// one line per such configuration, "configuration N (DESCRIPTION): REASON"
// with CheckPlaceableOn's reason, in the configurations' order; a single
// line saying so when `hosts` is empty; past the tenth, one last line "and
// N more configurations". Empty when every configuration
// could run. Configurations CheckPlaceable refuses are left out (they fail
// on their own). Used by CreateExperiment (submit) and by the scheduler of
// a closed cluster.
std::vector<std::string> UnplaceableConfigurations(
    absl::Span<const v1::Configuration> configurations,
    const PlacementRules& rules, absl::Span<const CandidateHost> hosts);

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_TRIALS_PLACEMENT_H_
