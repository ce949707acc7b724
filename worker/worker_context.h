// What every part of a worker shares: who it is, where its state lives, the
// clock, and the operating system (os/env.h). Drivers and balancers take
// one at construction. Plain data.
//
// What the worker keeps (state dir, persistent):
//   STATE/spool/    results not yet acknowledged by the coordinator
//   STATE/images/   the Docker driver's image cache
// What its targets and balancers read (runtime dir, created on demand;
// the state dir itself unless the targets could not reach it there, see
// worker/runtime_dir.h):
//   RUNTIME/run/        pid files of processes the worker started (native
//                       nginx, balancers, QEMU), one per id: "<id>.pid"
//   RUNTIME/targets/    per-target prefixes: configs, logs, pages
//   RUNTIME/balancers/  per-balancer prefixes: configs, logs
//                       (a prefix's `kind` file names the driver or
//                       balancer that made it; see owned_process.h)
#ifndef SCALEBENCH_WORKER_WORKER_CONTEXT_H_
#define SCALEBENCH_WORKER_WORKER_CONTEXT_H_

#include <string>

#include "common/clock.h"
#include "os/env.h"

namespace scalebench::worker {

struct WorkerContext {
  // The worker's name ([A-Za-z0-9._-]{1,64}), as given by --name.
  std::string name;
  // The absolute path of its state dir.
  std::string state_dir;
  // The absolute path of its runtime dir; empty means the state dir.
  std::string runtime_dir;
  // The prefix of every id this worker gives a target, balancer,
  // container, VM or domain: "scalebench-<name>". Recover() removes
  // exactly what carries it.
  std::string owner;
  // Never null once in use: the composition root (WorkerHost::Open) and
  // the mains pass the real one, tests a fake or the real one, explicitly.
  Clock* clock = nullptr;
  // Every program run, process start and file write goes through it.
  // Never null.
  os::Env* env = os::Env::Default();

  // Where run/, targets/ and balancers/ live: runtime_dir, or state_dir
  // when it is empty.
  const std::string& runtime() const {
    return runtime_dir.empty() ? state_dir : runtime_dir;
  }
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_WORKER_CONTEXT_H_
