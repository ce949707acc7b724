#include "worker/balancers/balancer_launch.h"

#include <sched.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace scalebench::worker {

absl::StatusOr<CheckedBalancerLaunch> CheckBalancerLaunch(
    const BalancerLaunch& launch) {
  CheckedBalancerLaunch checked;
  if (launch.endpoints.empty()) {
    return absl::InvalidArgumentError("balancer: no endpoints to balance");
  }
  for (size_t i = 0; i < launch.endpoints.size(); ++i) {
    absl::StatusOr<HostPort> backend =
        ParseEndpoint(launch.endpoints[i], absl::StrCat("endpoints[", i, "]"));
    if (!backend.ok()) return backend.status();
    checked.backends.push_back(*std::move(backend));
  }
  absl::StatusOr<HostPort> listen =
      MakeHostPort(launch.listen_address, launch.port, "listen address");
  if (!listen.ok()) return listen.status();
  checked.listen = *std::move(listen);
  switch (launch.algorithm) {
    case v1::BALANCER_ALGORITHM_ROUNDROBIN:
    case v1::BALANCER_ALGORITHM_LEASTCONN:
    case v1::BALANCER_ALGORITHM_SOURCE:
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "balancer: algorithm ", static_cast<int>(launch.algorithm),
          " is not roundrobin, leastconn or source"));
  }
  if (launch.health_check_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "balancer: health_check_interval is negative");
  }
  for (int cpu : launch.cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
      return absl::InvalidArgumentError(
          absl::StrCat("balancer: core ", cpu, " out of range"));
    }
  }
  if (!launch.cpus.empty()) {
    checked.threads = static_cast<uint32_t>(launch.cpus.size());
  } else {
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    checked.threads = online > 0 ? static_cast<uint32_t>(online) : 1;
  }
  return checked;
}

OwnedProcessKind BalancerProcessKind(const std::string& kind) {
  OwnedProcessKind result;
  result.area = "balancers";
  result.kind = kind;
  result.id_infix = "-balancer";
  result.digits_required = false;
  return result;
}

absl::StatusOr<OwnedProcesses::PlannedStart> BalancerStart(
    const BalancerLaunch& launch, std::vector<std::string> subdirs,
    std::string log_path) {
  absl::StatusOr<CheckedBalancerLaunch> checked = CheckBalancerLaunch(launch);
  if (!checked.ok()) return checked.status();
  OwnedProcesses::PlannedStart start;
  start.what = absl::StrCat("balancer ", launch.id);
  start.listen = checked->listen;
  start.subdirs = std::move(subdirs);
  start.log_path = std::move(log_path);
  return start;
}

}  // namespace scalebench::worker
