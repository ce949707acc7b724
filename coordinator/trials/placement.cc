#include "coordinator/trials/placement.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/enum_names.h"
#include "common/echo_text.h"
#include "platforms/registry.h"
#include "spec/grid.h"

namespace scalebench::coordinator {
namespace {

uint32_t TargetHosts(const v1::Configuration& c) {
  return std::max<uint32_t>(1, c.hosts());
}

// How much of what hosts say they lack CheckPlaceableOn repeats: each
// reason's bytes, and how many reasons.
constexpr size_t kMaxReasonBytes = 200;
constexpr size_t kMaxReasons = 8;
// How many configurations UnplaceableConfigurations describes.
constexpr size_t kMaxUnplaceableLines = 10;
// How many workers' names CheckPlaceableOn lists.
constexpr size_t kMaxNamedHosts = 8;

constexpr char kNoWorker[] =
    "no worker is synchronizing with this coordinator (start "
    "scalebench-worker --coordinator ADDR on a host)";

// "2 workers synchronizing: a, b", naming at most kMaxNamedHosts.
std::string Synchronizing(absl::Span<const CandidateHost> hosts) {
  std::vector<std::string> names;
  for (const CandidateHost& host : hosts) {
    if (names.size() == kMaxNamedHosts) {
      names.push_back(
          absl::StrCat("and ", hosts.size() - kMaxNamedHosts, " more"));
      break;
    }
    names.push_back(host.worker_id);
  }
  return absl::StrCat(hosts.size(), hosts.size() == 1 ? " worker" : " workers",
                      " synchronizing: ", absl::StrJoin(names, ", "));
}

bool RunsPlatform(const v1::HostFacts& facts, v1::Platform platform) {
  return std::find(facts.platforms().begin(), facts.platforms().end(),
                   platform) != facts.platforms().end();
}

bool RunsBalancer(const v1::HostFacts& facts, v1::BalancerKind kind) {
  return std::find(facts.balancers().begin(), facts.balancers().end(), kind) !=
         facts.balancers().end();
}

bool OwnBalancerHost(const v1::Configuration& configuration,
                     v1::BalancerPlacement balancer_placement) {
  return HasBalancer(configuration) &&
         balancer_placement == v1::BALANCER_PLACEMENT_OWN_HOST;
}

// What a target host must list: platforms::HostPlatforms, the one rule.
absl::StatusOr<std::vector<v1::Platform>> NeededPlatforms(
    const v1::Configuration& configuration, const PlacementRules& rules) {
  v1::TargetSpec target;
  target.set_hypervisor(rules.unikernel_hypervisor);
  return platforms::HostPlatforms(configuration.platform(), target);
}

}  // namespace

google::protobuf::Map<std::string, std::string> Placement::Roles() const {
  google::protobuf::Map<std::string, std::string> roles;
  int loadgens = 0;
  for (const HostRoles& host : hosts) {
    if (host.target_host >= 0) {
      roles[absl::StrCat(kTargetRole, "/", host.target_host)] = host.worker_id;
    }
    if (host.balancer) roles[kBalancerRole] = host.worker_id;
    if (host.loadgen) {
      roles[absl::StrCat(kLoadgenRole, "/", loadgens++)] = host.worker_id;
    }
  }
  return roles;
}

const HostRoles* Placement::BalancerHost() const {
  for (const HostRoles& host : hosts) {
    if (host.balancer) return &host;
  }
  return nullptr;
}

bool Placement::Includes(const std::string& worker_id) const {
  for (const HostRoles& host : hosts) {
    if (host.worker_id == worker_id) return true;
  }
  return false;
}

bool HasBalancer(const v1::Configuration& configuration) {
  return configuration.balancer() != v1::BALANCER_KIND_NONE &&
         configuration.balancer() != v1::BALANCER_KIND_UNSPECIFIED;
}

PlacementRules PlacementRules::FromSpec(const v1::ExperimentSpec& spec) {
  PlacementRules rules;
  if (spec.placement().balancer() != v1::BALANCER_PLACEMENT_UNSPECIFIED) {
    rules.balancer = spec.placement().balancer();
  }
  rules.unikernel_hypervisor = spec.target().hypervisor();
  return rules;
}

uint32_t HostsNeeded(const v1::Configuration& configuration,
                     const PlacementRules& rules) {
  return TargetHosts(configuration) +
         (OwnBalancerHost(configuration, rules.balancer) ? 1 : 0);
}

absl::Status CheckPlaceable(const v1::Configuration& configuration) {
  if (configuration.instances() < TargetHosts(configuration)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "configuration ", configuration.index(), " has ",
        configuration.instances(), " instances on ", TargetHosts(configuration),
        " hosts: every target host needs at least one instance"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Placement> PlaceTrial(
    const v1::Configuration& configuration, const PlacementRules& rules,
    absl::Span<const CandidateHost> candidates,
    const absl::flat_hash_set<std::string>& avoid) {
  if (absl::Status s = CheckPlaceable(configuration); !s.ok()) return s;
  const uint32_t target_hosts = TargetHosts(configuration);
  const bool balanced = HasBalancer(configuration);
  const bool own_host = OwnBalancerHost(configuration, rules.balancer);
  // The platforms a target host must list (platforms/registry.h): the
  // configuration's, and the one whose driver runs it when another (a
  // unikernel's hypervisor).
  absl::StatusOr<std::vector<v1::Platform>> needed =
      NeededPlatforms(configuration, rules);
  if (!needed.ok()) return needed.status();
  std::vector<std::string> names;
  for (v1::Platform p : *needed) names.push_back(api::EnumName(p));
  const std::string platform_name = absl::StrJoin(names, " on ");

  // Fresh hosts first, then those an earlier attempt failed on; the
  // candidates' own order within each group.
  std::vector<const CandidateHost*> ordered;
  for (const CandidateHost& c : candidates) {
    if (!avoid.contains(c.worker_id)) ordered.push_back(&c);
  }
  for (const CandidateHost& c : candidates) {
    if (avoid.contains(c.worker_id)) ordered.push_back(&c);
  }
  std::vector<bool> taken(ordered.size(), false);
  // The first untaken host that runs what `fits` asks for.
  const auto take = [&](auto fits) -> const CandidateHost* {
    for (size_t k = 0; k < ordered.size(); ++k) {
      if (!taken[k] && fits(ordered[k]->facts)) {
        taken[k] = true;
        return ordered[k];
      }
    }
    return nullptr;
  };
  const auto missing = [&](uint32_t found) {
    const std::string balancer = api::EnumName(configuration.balancer());
    return absl::ResourceExhaustedError(absl::StrCat(
        "needs ", HostsNeeded(configuration, rules),
        " free hosts: ", target_hosts, " that run ", platform_name,
        !balanced  ? ""
        : own_host ? absl::StrCat(" and one more that runs ", balancer)
                   : absl::StrCat(", the first also ", balancer),
        "; ", found, " found"));
  };

  Placement placement;
  // The balancer's own host first: any host can run targets, fewer may run
  // the balancer.
  if (own_host) {
    const CandidateHost* host = take([&](const v1::HostFacts& facts) {
      return RunsBalancer(facts, configuration.balancer());
    });
    if (host == nullptr) return missing(0);
    HostRoles roles;
    roles.worker_id = host->worker_id;
    roles.balancer = true;
    placement.hosts.push_back(std::move(roles));
  }
  const uint32_t per_host = configuration.instances() / target_hosts;
  const uint32_t extra = configuration.instances() % target_hosts;
  for (uint32_t i = 0; i < target_hosts; ++i) {
    // Without a host of its own, the first target host also balances.
    const bool balancer = balanced && !own_host && i == 0;
    const CandidateHost* host = take([&](const v1::HostFacts& facts) {
      return std::all_of(
                 needed->begin(), needed->end(),
                 [&](v1::Platform p) { return RunsPlatform(facts, p); }) &&
             (!balancer || RunsBalancer(facts, configuration.balancer()));
    });
    if (host == nullptr) return missing(i + (own_host ? 1 : 0));
    HostRoles roles;
    roles.worker_id = host->worker_id;
    roles.targets = per_host + (i < extra ? 1 : 0);
    roles.target_host = static_cast<int>(i);
    roles.balancer = balancer;
    roles.loadgen = true;
    placement.hosts.push_back(std::move(roles));
  }
  // Target hosts first, as Placement::hosts promises.
  if (own_host) {
    std::rotate(placement.hosts.begin(), placement.hosts.begin() + 1,
                placement.hosts.end());
  }
  return placement;
}

absl::Status CheckPlaceableOn(const v1::Configuration& configuration,
                              const PlacementRules& rules,
                              absl::Span<const CandidateHost> hosts) {
  if (hosts.empty()) return absl::FailedPreconditionError(kNoWorker);
  absl::Status placed = PlaceTrial(configuration, rules, hosts, {}).status();
  if (placed.ok()) return placed;
  if (!absl::IsResourceExhausted(placed)) return placed;
  // What the hosts said they cannot run, of what this configuration needs.
  const std::vector<v1::Platform> platforms =
      NeededPlatforms(configuration, rules)
          .value_or(std::vector<v1::Platform>{configuration.platform()});
  std::vector<std::string> reasons;
  for (const CandidateHost& host : hosts) {
    for (const v1::Unavailable& u : host.facts.unavailable()) {
      const bool needed = (u.platform() != v1::PLATFORM_UNSPECIFIED &&
                           std::find(platforms.begin(), platforms.end(),
                                     u.platform()) != platforms.end()) ||
                          (u.balancer() != v1::BALANCER_KIND_UNSPECIFIED &&
                           HasBalancer(configuration) &&
                           u.balancer() == configuration.balancer());
      if (!needed) continue;
      // A worker's reason is its own text: echoed on one line, clipped.
      reasons.push_back(absl::StrCat(
          host.worker_id, ": ",
          u.platform() != v1::PLATFORM_UNSPECIFIED
              ? absl::StrCat("platform ", api::EnumName(u.platform()))
              : absl::StrCat("balancer ", api::EnumName(u.balancer())),
          ": ", OneLine(u.reason(), kMaxReasonBytes)));
    }
  }
  if (reasons.size() > kMaxReasons) {
    const size_t more = reasons.size() - kMaxReasons;
    reasons.resize(kMaxReasons);
    reasons.push_back(absl::StrCat("and ", more, " more"));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      placed.message(), " (", Synchronizing(hosts), reasons.empty() ? "" : "; ",
      absl::StrJoin(reasons, "; "), ")"));
}

std::vector<std::string> UnplaceableConfigurations(
    absl::Span<const v1::Configuration> configurations,
    const PlacementRules& rules, absl::Span<const CandidateHost> hosts) {
  if (hosts.empty()) return {kNoWorker};
  std::vector<std::string> problems;
  size_t more = 0;
  for (const v1::Configuration& configuration : configurations) {
    if (!CheckPlaceable(configuration).ok()) continue;  // Fails on its own.
    const absl::Status never = CheckPlaceableOn(configuration, rules, hosts);
    if (never.ok()) continue;
    if (problems.size() == kMaxUnplaceableLines) {
      ++more;
      continue;
    }
    problems.push_back(absl::StrCat(
        "configuration ", configuration.index(), " (",
        spec::DescribeConfiguration(configuration), "): ", never.message()));
  }
  if (more > 0) {
    problems.push_back(absl::StrCat("and ", more, " more configuration",
                                    more == 1 ? "" : "s"));
  }
  return problems;
}

}  // namespace scalebench::coordinator
