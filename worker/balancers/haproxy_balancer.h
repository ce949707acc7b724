// The haproxy balancer: one haproxy process in the foreground (-db) with
// one thread per core, each thread pinned with cpu-map and the process
// pinned to the same cores; config and log in RUNTIME/balancers/<id>/, pid
// file RUNTIME/run/<id>.pid. HTTP mode with keep-alive on both sides
// (idle backend connections reused: http-reuse always). Health checks are
// haproxy's active checks ("check inter <ms>" on every server) when the
// interval is above zero, none otherwise. Thread-compatible.
#ifndef SCALEBENCH_WORKER_BALANCERS_HAPROXY_BALANCER_H_
#define SCALEBENCH_WORKER_BALANCERS_HAPROXY_BALANCER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "worker/balancers/balancer.h"
#include "worker/owned_process_driver.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

struct HaproxyBalancerOptions {
  // The haproxy binary. Default Debian's.
  std::string haproxy_binary = "/usr/sbin/haproxy";
  // How long Stop() waits after SIGTERM before SIGKILL. Default 5 s.
  absl::Duration stop_grace = absl::Seconds(5);
};

class HaproxyBalancer final
    : public OwnedProcessDriver<Balancer, BalancerLaunch> {
 public:
  explicit HaproxyBalancer(const WorkerContext& context,
                           HaproxyBalancerOptions options = {});

  v1::BalancerKind kind() const override { return v1::BALANCER_KIND_HAPROXY; }

  // haproxy.cfg and the command line; see CheckBalancerLaunch for the
  // INVALID_ARGUMENT cases, and the id must be "<owner>-balancer[N]".
  absl::StatusOr<LaunchPlan> Plan(const BalancerLaunch& launch) override;

 private:
  absl::StatusOr<OwnedProcesses::PlannedStart> StartDetails(
      const BalancerLaunch& launch) override;

  HaproxyBalancerOptions options_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_BALANCERS_HAPROXY_BALANCER_H_
