// The sweep grid of an experiment: its configurations in canonical order,
// and their one-line description. Stateless; thread-safe.
//
// Canonical order is row-major over the factors in SweepSpec field order —
// platform, instances, balancer, algorithm, hosts, vcpus, keepalive,
// health_check_interval, connections — with the first factor varying
// slowest and each factor's levels in the order the spec lists them.
// Empty factors take their default level (defaults.h). A configuration
// without a balancer (balancer none) has no algorithm and no health
// check: those two factors collapse to a single level there, with
// algorithm unspecified and health_check_interval 0 s.
#ifndef SCALEBENCH_SPEC_GRID_H_
#define SCALEBENCH_SPEC_GRID_H_

#include <cstdint>
#include <string>
#include <vector>

#include "scalebench/v1/spec.pb.h"

namespace scalebench::spec {

// The configurations of `spec` in canonical order, `index` from 0: every
// combination of the sweep's levels, except those with fewer instances
// than hosts (a host without a target). `spec` should be valid
// (ValidateSpec), which makes sure at least one remains.
std::vector<v1::Configuration> ExpandGrid(const v1::ExperimentSpec& spec);

// How many configurations ExpandGrid returns, without expanding, in time
// O(n log n) of the number of levels; saturates at UINT64_MAX.
uint64_t CountConfigurations(const v1::ExperimentSpec& spec);

// One line in the YAML spelling, factors in canonical order:
// "platform=native instances=2 balancer=haproxy algorithm=roundrobin
// hosts=1 vcpus=1 keepalive=true connections=100". algorithm is left out
// when unspecified (no balancer), health_check_interval when 0 s (off).
std::string DescribeConfiguration(const v1::Configuration& config);

}  // namespace scalebench::spec

#endif  // SCALEBENCH_SPEC_GRID_H_
