// A load balancer in front of the targets: haproxy or nginx, configured
// from the endpoints of every target (on this host or others), the
// algorithm and the health-check interval, pinned to its cores. Like a
// target, a balancer carries the worker's identity (pid file under the
// state dir) so Recover() removes one an earlier worker left, and it has
// the same driver shape (worker/driver.h).
// Thread-compatible.
#ifndef SCALEBENCH_WORKER_BALANCERS_BALANCER_H_
#define SCALEBENCH_WORKER_BALANCERS_BALANCER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scalebench/v1/spec.pb.h"
#include "worker/driver.h"
#include "worker/launch_plan.h"

namespace scalebench::worker {

struct BalancerLaunch {
  // "<owner>-balancer"; see TargetLaunch::id.
  std::string id;
  v1::BalancerAlgorithm algorithm = v1::BALANCER_ALGORITHM_ROUNDROBIN;
  // host:port of every backend target, in instance order.
  std::vector<std::string> endpoints;
  // Zero = health checks off.
  absl::Duration health_check_interval = absl::ZeroDuration();
  // Cores the balancer's processes are pinned to; one worker process or
  // thread per core.
  std::vector<int> cpus;
  // Where it listens.
  std::string listen_address = "127.0.0.1";
  uint16_t port = 0;
};

// A balancer driver: the shape of worker/driver.h, shared with the target
// drivers. Start() returns the balancer's id and endpoint.
class Balancer : public Driver<BalancerLaunch> {
 public:
  // haproxy or nginx.
  virtual v1::BalancerKind kind() const = 0;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_BALANCERS_BALANCER_H_
