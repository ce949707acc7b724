// Defaults a worker shares between its daemon and run-trial. Thread-safe.
#ifndef SCALEBENCH_WORKER_AGENT_WORKER_DEFAULTS_H_
#define SCALEBENCH_WORKER_AGENT_WORKER_DEFAULTS_H_

#include <string>

#include "absl/status/status.h"

namespace scalebench::worker {

// /var/lib/scalebench/worker for root; otherwise
// $XDG_STATE_HOME/scalebench/worker, or ~/.local/state/scalebench/worker.
std::string DefaultStateDir();

// Creates `dir` and its run/ and targets/ folders. INVALID_ARGUMENT
// naming the path when it cannot (the state dir given cannot be used).
absl::Status PrepareStateDir(const std::string& dir);

// This machine's host name as a worker name: [A-Za-z0-9._-], at most 64.
std::string DefaultWorkerName();

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_WORKER_DEFAULTS_H_
