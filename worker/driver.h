// The shape every driver of something the worker runs shares, targets and
// load balancers alike, after a Mesos containerizer: Recover what an
// earlier worker left, Plan without starting anything, Start, WaitReady,
// Stop, List, and why something stopped (its termination). Each runs
// under the worker's identity (a name prefix, a label, a pid file under
// the state dir), so Recover() finds exactly its own leftovers.
// Implementations are thread-compatible: the worker drives one trial at a
// time.
#ifndef SCALEBENCH_WORKER_DRIVER_H_
#define SCALEBENCH_WORKER_DRIVER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "os/env.h"
#include "worker/launch_plan.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

// A started target or balancer.
struct Target {
  std::string id;
  // host:port at which it answers HTTP.
  std::string endpoint;
};

// Why a target or balancer is no longer running.
struct Termination {
  enum class Reason {
    kExited,    // It ended by itself with `exit_code`.
    kSignaled,  // It was killed by `signal` (not by Stop()).
    kStopped,   // Stop() or Recover() ended it, or it was never started.
    kGone,      // It is gone and how it ended is unknown (a VM or domain
                // that vanished, a process of an earlier worker).
  };
  Reason reason = Reason::kGone;
  int exit_code = 0;
  int signal = 0;

  // "exited with status 1", "was killed by signal 9", "was stopped",
  // "is gone".
  std::string ToString() const;
};

// The termination an owned process's status tells; kStopped when its pid
// file is gone (Stop() removes it).
Termination TerminationOf(const os::ProcessStatus& status);

// Probes `target` over HTTP (GET /, a 2xx answer) until it answers: OK.
// DEADLINE_EXCEEDED naming the endpoint when `timeout` passes on `clock`;
// FAILED_PRECONDITION "ID exited with status 1" as soon as `ended` says the
// target is no longer running (null: never asked).
absl::Status WaitUntilAnswering(
    const Target& target, absl::Duration timeout, Clock& clock,
    const std::function<std::optional<Termination>()>& ended);

// What one driver runs and how each ended: the half of the driver shape
// that does not depend on how one is started. There is one implementation
// per kind of running thing, shared by every driver that runs that kind:
// owned processes with pid files (OwnedProcesses: native nginx, the
// balancers), QEMU VMs, Xen domains, Docker containers. Each runs under
// the worker's identity (its WorkerContext). Non-copyable.
class Instances {
 public:
  Instances(const Instances&) = delete;
  Instances& operator=(const Instances&) = delete;
  virtual ~Instances() = default;

  // Removes everything an earlier worker with the same identity left (its
  // processes, containers, VMs, domains). Idempotent; OK when there is
  // nothing to remove.
  virtual absl::Status Recover() = 0;

  // Returns once `target` answers HTTP: DEADLINE_EXCEEDED after `timeout`,
  // FAILED_PRECONDITION with its termination as soon as it stops. By
  // default it asks Terminated() after every probe (an error asking counts
  // as running), for instances that can tell a termination cheaply.
  virtual absl::Status WaitReady(const Target& target, absl::Duration timeout);

  // Stops it and releases its resources. Idempotent: one that is already
  // gone is OK.
  virtual absl::Status Stop(const std::string& id) = 0;

  // Ids of this worker's identity that run now.
  virtual absl::StatusOr<std::vector<std::string>> List() = 0;

  // Why `id` is no longer running; nullopt while it runs.
  virtual absl::StatusOr<std::optional<Termination>> Terminated(
      const std::string& id) = 0;

 protected:
  // The instances of `context`'s worker; its clock paces WaitReady().
  explicit Instances(const WorkerContext& context) : context_(context) {}
  const WorkerContext& context() const { return context_; }

 private:
  const WorkerContext context_;
};

// The driver shape, for `Launch` a TargetLaunch or a BalancerLaunch: how
// to start one (CheckUsable, Plan, Start), which each driver writes, and
// what runs and how it ended (Recover, WaitReady, Stop, List, Terminated),
// which its instances() answer.
template <typename Launch>
class Driver {
 public:
  virtual ~Driver() = default;

  // Whether this host can run it (binaries present, engine reachable,
  // ...); the reason when it cannot. Cheap; never starts anything.
  virtual absl::Status CheckUsable() = 0;

  // The files and commands Start(launch) would write and run; starts and
  // writes nothing. INVALID_ARGUMENT when `launch` cannot be run as given.
  virtual absl::StatusOr<LaunchPlan> Plan(const Launch& launch) = 0;

  // Starts it and returns at once (before it answers). Errors say what
  // failed ("nginx exited with status 1: ...").
  virtual absl::StatusOr<Target> Start(const Launch& launch) = 0;

  // What it started, as Instances says (each implementation states its own
  // contract): Recover, WaitReady, Stop, List, Terminated.
  absl::Status Recover() { return instances().Recover(); }
  absl::Status WaitReady(const Target& target, absl::Duration timeout) {
    return instances().WaitReady(target, timeout);
  }
  absl::Status Stop(const std::string& id) { return instances().Stop(id); }
  absl::StatusOr<std::vector<std::string>> List() { return instances().List(); }
  absl::StatusOr<std::optional<Termination>> Terminated(const std::string& id) {
    return instances().Terminated(id);
  }

 protected:
  // What this driver starts runs as these; they live as long as the driver.
  virtual Instances& instances() = 0;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_DRIVER_H_
