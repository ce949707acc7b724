#include "spec/grid.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/enum_names.h"
#include "spec/defaults.h"
#include "spec/durations.h"

namespace scalebench::spec {
namespace {

uint64_t SaturatingMultiply(uint64_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) {
    return std::numeric_limits<uint64_t>::max();
  }
  return a * b;
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return b > std::numeric_limits<uint64_t>::max() - a
             ? std::numeric_limits<uint64_t>::max()
             : a + b;
}

bool HasBalancer(int balancer) { return balancer != v1::BALANCER_KIND_NONE; }

}  // namespace

std::vector<v1::Configuration> ExpandGrid(const v1::ExperimentSpec& spec) {
  const v1::ExperimentSpec full = WithDefaults(spec);
  const v1::SweepSpec& s = full.sweep();
  const google::protobuf::Duration off = ToProto(absl::ZeroDuration());
  std::vector<v1::Configuration> grid;
  v1::Configuration c;
  for (int platform : s.platform()) {
    c.set_platform(static_cast<v1::Platform>(platform));
    for (uint32_t instances : s.instances()) {
      c.set_instances(instances);
      for (int balancer : s.balancer()) {
        c.set_balancer(static_cast<v1::BalancerKind>(balancer));
        const bool balanced = HasBalancer(balancer);
        const int algorithms = balanced ? s.algorithm_size() : 1;
        for (int a = 0; a < algorithms; ++a) {
          c.set_algorithm(
              balanced ? static_cast<v1::BalancerAlgorithm>(s.algorithm(a))
                       : v1::BALANCER_ALGORITHM_UNSPECIFIED);
          for (uint32_t hosts : s.hosts()) {
            // Every host needs a target: fewer instances than hosts is
            // no configuration.
            if (instances < hosts) continue;
            c.set_hosts(hosts);
            for (uint32_t vcpus : s.vcpus()) {
              c.set_vcpus(vcpus);
              for (bool keepalive : s.keepalive()) {
                c.set_keepalive(keepalive);
                const int intervals =
                    balanced ? s.health_check_interval_size() : 1;
                for (int h = 0; h < intervals; ++h) {
                  *c.mutable_health_check_interval() =
                      balanced ? s.health_check_interval(h) : off;
                  for (uint32_t connections : s.connections()) {
                    c.set_connections(connections);
                    c.set_index(static_cast<uint32_t>(grid.size()));
                    grid.push_back(c);
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return grid;
}

uint64_t CountConfigurations(const v1::ExperimentSpec& spec) {
  const v1::ExperimentSpec full = WithDefaults(spec);
  const v1::SweepSpec& s = full.sweep();
  // Per balancer level: 1 without a balancer, else algorithms x intervals.
  uint64_t balancer_levels = 0;
  for (int balancer : s.balancer()) {
    balancer_levels =
        SaturatingAdd(balancer_levels,
                      HasBalancer(balancer)
                          ? SaturatingMultiply(s.algorithm_size(),
                                               s.health_check_interval_size())
                          : 1);
  }
  // (instances, hosts) pairs with at least one instance per host: for each
  // instances level, the hosts levels at or below it, found in the sorted
  // hosts levels (n log n, not instances x hosts).
  std::vector<uint32_t> hosts(s.hosts().begin(), s.hosts().end());
  std::sort(hosts.begin(), hosts.end());
  uint64_t placements = 0;
  for (uint32_t instances : s.instances()) {
    placements += static_cast<uint64_t>(
        std::upper_bound(hosts.begin(), hosts.end(), instances) -
        hosts.begin());
  }
  uint64_t count = SaturatingMultiply(balancer_levels, placements);
  for (uint64_t levels : {static_cast<uint64_t>(s.platform_size()),
                          static_cast<uint64_t>(s.vcpus_size()),
                          static_cast<uint64_t>(s.keepalive_size()),
                          static_cast<uint64_t>(s.connections_size())}) {
    count = SaturatingMultiply(count, levels);
  }
  return count;
}

std::string DescribeConfiguration(const v1::Configuration& c) {
  std::vector<std::string> parts = {
      absl::StrCat("platform=", api::EnumName(c.platform())),
      absl::StrCat("instances=", c.instances()),
      absl::StrCat("balancer=", api::EnumName(c.balancer())),
  };
  if (c.algorithm() != v1::BALANCER_ALGORITHM_UNSPECIFIED) {
    parts.push_back(absl::StrCat("algorithm=", api::EnumName(c.algorithm())));
  }
  parts.push_back(absl::StrCat("hosts=", c.hosts()));
  parts.push_back(absl::StrCat("vcpus=", c.vcpus()));
  parts.push_back(absl::StrCat("keepalive=", c.keepalive() ? "true" : "false"));
  if (FromProto(c.health_check_interval()) != absl::ZeroDuration()) {
    parts.push_back(absl::StrCat("health_check_interval=",
                                 DurationText(c.health_check_interval())));
  }
  parts.push_back(absl::StrCat("connections=", c.connections()));
  return absl::StrJoin(parts, " ");
}

}  // namespace scalebench::spec
