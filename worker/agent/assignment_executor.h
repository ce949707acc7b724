// What carries out the coordinator's desired state on this host: starting
// targets and a balancer for an attempt, measuring at an instant, tearing
// down. The Synchronize client hands every desired state to it and reports
// its current state back. Implementations return from Apply at once and do
// the work in the background. Thread-safe.
#ifndef SCALEBENCH_WORKER_AGENT_ASSIGNMENT_EXECUTOR_H_
#define SCALEBENCH_WORKER_AGENT_ASSIGNMENT_EXECUTOR_H_

#include "scalebench/v1/worker.pb.h"
#include "worker/agent/clock_sync.h"

namespace scalebench::worker {

class AssignmentExecutor {
 public:
  virtual ~AssignmentExecutor() = default;

  // Moves towards `desired`. Idempotent: the same desired state again
  // changes nothing. `clock` converts start instants to this host's clock.
  virtual void Apply(const v1::DesiredState& desired,
                     const ClockSync& clock) = 0;

  // What the worker is doing now.
  virtual v1::WorkerState Current() = 0;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_ASSIGNMENT_EXECUTOR_H_
