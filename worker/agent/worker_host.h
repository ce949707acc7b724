// The worker's one composition root, shared by the daemon (daemon.h) and
// `run-trial` (run_trial.h): the flags that say who the worker is, where
// its state lives, which cores and address it uses and what its drivers
// need, declared once; and the one sequence that opens a worker on this
// host from them (name checked, state dir absolute and held, runtime dir,
// drivers). Thread-compatible.
#ifndef SCALEBENCH_WORKER_AGENT_WORKER_HOST_H_
#define SCALEBENCH_WORKER_AGENT_WORKER_HOST_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/command_line.h"
#include "worker/agent/drivers.h"
#include "worker/agent/state_dir_lock.h"
#include "worker/runtime_dir.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

struct WorkerFlags {
  // The worker's id; empty = the caller's default (the host name for the
  // daemon, "local" for run-trial).
  std::string name;
  // Empty = DefaultStateDir() (worker_defaults.h).
  std::string state_dir;
  // Where the targets' and balancers' files and pid files go; empty = the
  // state dir when the targets can reach it, else a dir of the worker's
  // own under /run/scalebench (worker/runtime_dir.h).
  std::string runtime_dir;
  // Where targets and the balancer listen, and the address other hosts use
  // to reach them.
  std::string listen_address = "127.0.0.1";
  // The cores scalebench may use; empty = AllowedCpus().
  std::vector<int> cpus;
  DriverOptions drivers;
};

// Adds --name (its help saying `name_default`), --state-dir,
// --runtime-dir, --listen-address, --cpus, --docker-host and
// --qemu-images to `app`.
void AddWorkerFlags(CLI::App& app, WorkerFlags* flags,
                    const std::string& name_default);

// A worker opened on this host. Holds its state dir until destroyed, and
// removes an empty runtime dir of its own then. Non-copyable.
class WorkerHost final {
 public:
  // Checks the name (default `default_name`; INVALID_ARGUMENT naming
  // --name), makes the state dir absolute, takes its lock before anything
  // else touches it (FAILED_PRECONDITION naming the holder's pid, see
  // state_dir_lock.h), creates its folders (INVALID_ARGUMENT naming the
  // path), resolves the runtime dir and builds the drivers. Starts and
  // recovers nothing. `clock` is the worker's time (the mains give
  // Clock::Real()); not null, and it must outlive the host.
  static absl::StatusOr<std::unique_ptr<WorkerHost>> Open(
      const WorkerFlags& flags, const std::string& default_name, Clock* clock);

  WorkerHost(const WorkerHost&) = delete;
  WorkerHost& operator=(const WorkerHost&) = delete;
  ~WorkerHost();

  const WorkerContext& context() const { return context_; }
  DriverSet& drivers() { return *drivers_; }
  // The cores scalebench may use here.
  const std::vector<int>& cpus() const { return cpus_; }

 private:
  WorkerHost(WorkerContext context, StateDirLock lock);

  WorkerContext context_;
  StateDirLock lock_;
  std::optional<RuntimeDirReleaser> release_;
  std::unique_ptr<DriverSet> drivers_;
  std::vector<int> cpus_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_WORKER_HOST_H_
