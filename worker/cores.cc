#include "worker/cores.h"

#include "absl/strings/str_join.h"

namespace scalebench::worker {

std::map<std::string, std::string> CoreMap::Pinning() const {
  std::map<std::string, std::string> pinning;
  for (size_t i = 0; i < targets.size(); ++i) {
    pinning["target/" + std::to_string(i)] = absl::StrJoin(targets[i], ",");
  }
  if (!balancer.empty()) pinning["balancer"] = absl::StrJoin(balancer, ",");
  if (!loadgen.empty()) pinning["loadgen"] = absl::StrJoin(loadgen, ",");
  return pinning;
}

absl::StatusOr<CoreMap> AllocateCores(const std::vector<int>& host_cpus,
                                      const CoreRequest& request) {
  if (host_cpus.empty()) {
    return absl::InvalidArgumentError("the host offers no cores");
  }
  if (request.targets < 0 || request.vcpus_per_target < 1 ||
      request.balancer_cores < 0 || request.loadgen_cores < 0) {
    return absl::InvalidArgumentError(
        "core counts must be >= 0 and vcpus per target >= 1");
  }
  const size_t demand =
      static_cast<size_t>(request.loadgen_cores + request.balancer_cores +
                          request.targets * request.vcpus_per_target);
  CoreMap map;
  map.overcommitted = demand > host_cpus.size();
  size_t next = 0;
  auto take = [&](int count) {
    std::vector<int> cores;
    for (int i = 0; i < count; ++i) {
      cores.push_back(host_cpus[next % host_cpus.size()]);
      ++next;
    }
    return cores;
  };
  map.loadgen = take(request.loadgen_cores);
  map.balancer = take(request.balancer_cores);
  for (int t = 0; t < request.targets; ++t) {
    map.targets.push_back(take(request.vcpus_per_target));
  }
  return map;
}

}  // namespace scalebench::worker
