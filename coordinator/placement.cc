#include "coordinator/placement.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "api/enum_names.h"

namespace scalebench::coordinator {
namespace {

uint32_t TargetHosts(const v1::Configuration& c) {
  return std::max<uint32_t>(1, c.hosts());
}

bool RunsPlatform(const v1::HostFacts& facts, v1::Platform platform) {
  return std::find(facts.platforms().begin(), facts.platforms().end(),
                   platform) != facts.platforms().end();
}

bool RunsBalancer(const v1::HostFacts& facts, v1::BalancerKind kind) {
  return std::find(facts.balancers().begin(), facts.balancers().end(), kind) !=
         facts.balancers().end();
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

uint32_t HostsNeeded(const v1::Configuration& configuration) {
  return TargetHosts(configuration);
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
    const v1::Configuration& configuration,
    absl::Span<const CandidateHost> candidates,
    const absl::flat_hash_set<std::string>& avoid) {
  if (absl::Status s = CheckPlaceable(configuration); !s.ok()) return s;
  const uint32_t target_hosts = TargetHosts(configuration);
  const bool balanced = HasBalancer(configuration);

  // Fresh hosts first, then those an earlier attempt failed on; the
  // candidates' own order within each group.
  std::vector<const CandidateHost*> ordered;
  for (const CandidateHost& c : candidates) {
    if (!avoid.contains(c.worker_id)) ordered.push_back(&c);
  }
  for (const CandidateHost& c : candidates) {
    if (avoid.contains(c.worker_id)) ordered.push_back(&c);
  }

  Placement placement;
  std::vector<bool> taken(ordered.size(), false);
  const uint32_t per_host = configuration.instances() / target_hosts;
  const uint32_t extra = configuration.instances() % target_hosts;
  for (uint32_t i = 0; i < target_hosts; ++i) {
    // The first host also balances.
    const bool balancer = balanced && i == 0;
    const CandidateHost* host = nullptr;
    for (size_t k = 0; k < ordered.size() && host == nullptr; ++k) {
      const v1::HostFacts& facts = ordered[k]->facts;
      if (!taken[k] && RunsPlatform(facts, configuration.platform()) &&
          (!balancer || RunsBalancer(facts, configuration.balancer()))) {
        taken[k] = true;
        host = ordered[k];
      }
    }
    if (host == nullptr) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "needs ", target_hosts, " free hosts that run ",
          api::EnumName(configuration.platform()),
          balanced ? absl::StrCat(", the first also ",
                                  api::EnumName(configuration.balancer()))
                   : "",
          "; ", i, " found"));
    }
    HostRoles roles;
    roles.worker_id = host->worker_id;
    roles.targets = per_host + (i < extra ? 1 : 0);
    roles.target_host = static_cast<int>(i);
    roles.balancer = balancer;
    roles.loadgen = true;
    placement.hosts.push_back(std::move(roles));
  }
  return placement;
}

}  // namespace scalebench::coordinator
