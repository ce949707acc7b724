// A load balancer in front of the targets: haproxy or nginx, configured
// from the endpoints of every target (on this host or others), the
// algorithm and the health-check interval, pinned to its cores. Like a
// target, a balancer carries the worker's identity (pid file under the
// state dir) so Recover() removes one an earlier worker left.
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

class Balancer {
 public:
  virtual ~Balancer() = default;

  // haproxy or nginx.
  virtual v1::BalancerKind kind() const = 0;

  // Whether this host can run it, with the reason when not.
  virtual absl::Status CheckUsable() = 0;

  // Removes a balancer an earlier worker with the same identity left.
  // Idempotent.
  virtual absl::Status Recover() = 0;

  // The config and command Start() would write and run; starts nothing.
  // INVALID_ARGUMENT for an endpoint or value that must not reach a config
  // file (anything but host:port).
  virtual absl::StatusOr<LaunchPlan> Plan(const BalancerLaunch& launch) = 0;

  // Starts it; returns its endpoint (host:port) at once, before it answers.
  virtual absl::StatusOr<std::string> Start(const BalancerLaunch& launch) = 0;

  // Stops it. Idempotent.
  virtual absl::Status Stop(const std::string& id) = 0;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_BALANCERS_BALANCER_H_
