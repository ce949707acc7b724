// What every part of a worker shares: who it is, where its state lives, and
// the clock. Drivers and balancers take one at construction. Plain data.
//
// State dir layout (created on demand):
//   DIR/run/        pid files of processes the worker started (native
//                   nginx, balancers, QEMU), one per id: "<id>.pid"
//   DIR/targets/    per-target prefixes: configs, logs, pages
//   DIR/balancers/  per-balancer prefixes: configs, logs
//                   (a prefix's `kind` file names the driver or balancer
//                   that made it; see owned_process.h)
//   DIR/spool/      results not yet acknowledged by the coordinator
#ifndef SCALEBENCH_WORKER_WORKER_CONTEXT_H_
#define SCALEBENCH_WORKER_WORKER_CONTEXT_H_

#include <string>

#include "common/clock.h"

namespace scalebench::worker {

struct WorkerContext {
  // The worker's name ([A-Za-z0-9._-]{1,64}), as given by --name.
  std::string name;
  // The absolute path of its state dir.
  std::string state_dir;
  // The prefix of every id this worker gives a target, balancer,
  // container, VM or domain: "scalebench-<name>". Recover() removes
  // exactly what carries it.
  std::string owner;
  // Never null.
  Clock* clock = Clock::Real();
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_WORKER_CONTEXT_H_
