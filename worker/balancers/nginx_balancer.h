// The nginx balancer: a private nginx in the foreground with one worker per
// core, each pinned with worker_cpu_affinity and the process pinned to the
// same cores; config and logs in RUNTIME/balancers/<id>/, pid file
// RUNTIME/run/<id>.pid. An upstream of every endpoint with keep-alive
// connections to the backends. Algorithms: roundrobin (nginx's default),
// leastconn (least_conn), source (ip_hash).
//
// Health checks: open-source nginx has no active checks, only passive
// ones. With an interval above zero every server gets max_fails=1 and
// fail_timeout=<interval, rounded up to whole seconds, at least 1 s>: a
// backend that fails a request is not tried again for that long, about
// what an active check at that interval would do. With interval zero,
// max_fails=0: backends are never marked down. Thread-compatible.
#ifndef SCALEBENCH_WORKER_BALANCERS_NGINX_BALANCER_H_
#define SCALEBENCH_WORKER_BALANCERS_NGINX_BALANCER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "worker/balancers/balancer.h"
#include "worker/nginx_conf.h"
#include "worker/owned_process_driver.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

using NginxBalancerOptions = NginxOptions;

class NginxBalancer final
    : public OwnedProcessDriver<Balancer, BalancerLaunch> {
 public:
  explicit NginxBalancer(const WorkerContext& context,
                         NginxBalancerOptions options = {});

  v1::BalancerKind kind() const override { return v1::BALANCER_KIND_NGINX; }

  // nginx.conf and the command line; see CheckBalancerLaunch for the
  // INVALID_ARGUMENT cases, and the id must be "<owner>-balancer[N]".
  absl::StatusOr<LaunchPlan> Plan(const BalancerLaunch& launch) override;

 private:
  absl::StatusOr<OwnedProcesses::PlannedStart> StartDetails(
      const BalancerLaunch& launch) override;

  NginxBalancerOptions options_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_BALANCERS_NGINX_BALANCER_H_
