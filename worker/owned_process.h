// The long-running processes a worker owns of one kind (native nginx
// targets, a haproxy or nginx balancer): each has an id carrying the
// worker's owner prefix, a pid file RUNTIME/run/<id>.pid, and a prefix
// directory RUNTIME/<area>/<id>/ with its config, logs, and a `kind` file
// naming who started it. The kind file lets one driver's Recover() remove
// exactly its own leftovers and never another driver's (a QEMU target's
// pid file has the same shape). The Instances of every driver of owned
// processes. Thread-compatible; non-copyable.
#ifndef SCALEBENCH_WORKER_OWNED_PROCESS_H_
#define SCALEBENCH_WORKER_OWNED_PROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "os/env.h"
#include "worker/driver.h"
#include "worker/endpoint.h"
#include "worker/launch_plan.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

struct OwnedProcessKind {
  // Subdirectory of the state dir holding the prefixes: "targets" or
  // "balancers".
  std::string area;
  // Written to the prefix's `kind` file: "native", "haproxy", "nginx".
  std::string kind;
  // Ids of this kind are "<owner><id_infix><digits>", e.g. infix "-t"
  // (digits required) for targets, "-balancer" (digits optional) for
  // balancers.
  std::string id_infix;
  bool digits_required = true;
};

class OwnedProcesses final : public Instances {
 public:
  OwnedProcesses(const WorkerContext& context, OwnedProcessKind kind,
                 absl::Duration stop_grace = absl::Seconds(5));

  // INVALID_ARGUMENT unless `id` is one of this worker's ids of this kind.
  absl::Status ValidateId(const std::string& id) const;

  // RUNTIME/run/<id>.pid and RUNTIME/<area>/<id> (no trailing slash).
  std::string PidFile(const std::string& id) const;
  std::string Prefix(const std::string& id) const;

  // Makes a fresh, empty prefix for `id` (removing what an earlier run of
  // the same id left) with its `kind` file, world-readable so that nginx
  // workers running as nobody can read what is put there.
  // FAILED_PRECONDITION when a process of that id still runs.
  absl::Status CreatePrefix(const std::string& id);

  // OK when processes that drop to another user (nginx's workers, as
  // nobody under a root worker) can reach the prefixes; otherwise
  // FAILED_PRECONDITION naming the directory that stops them (see
  // runtime_dir.h). Cheap; for CheckUsable().
  absl::Status CheckReachable() const;

  // Starts the process of `id` (launch.pid_file is set to PidFile(id)).
  absl::StatusOr<pid_t> Start(const std::string& id, os::ProcessLaunch launch);

  // What Start() of a native target or a balancer does once it has a
  // plan.
  struct PlannedStart {
    std::string id;
    // Prefixes errors: "target ID", "balancer ID".
    std::string what;
    // Checked free before anything is written.
    HostPort listen;
    // Made under the prefix, searchable by others: "html", "tmp".
    std::vector<std::string> subdirs;
    // nginx: its workers read the prefix as nobody when the worker is
    // root, so the prefix must be searchable by others then.
    bool read_by_workers = false;
    // The plan's files (written atomically, world-readable) and command.
    std::vector<LaunchPlan::File> files;
    std::vector<std::string> argv;
    std::vector<int> cpus;
    // Where the process's output goes.
    std::string log_path;
  };

  // The one Start() of every owned process: CreatePrefix(start.id), checks
  // the listen address is free, makes the subdirs, writes the files and
  // starts argv pinned to cpus; returns its pid. On failure it stops what
  // it started and removes the prefix again. FAILED_PRECONDITION when a
  // process of that id runs or the port is taken.
  absl::StatusOr<pid_t> StartPlanned(const PlannedStart& start);

  // Stops the process of `id` (SIGTERM, SIGKILL after the grace period)
  // and removes its prefix. Idempotent: OK when already gone.
  // INVALID_ARGUMENT unless ValidateId(id).
  absl::Status Stop(const std::string& id) override;

  // How the process of `id` stopped: nullopt while it runs; kStopped when
  // Stop() removed it (or it never started).
  std::optional<os::ProcessStatus> StatusOf(const std::string& id) const;

  // StatusOf() as a termination. INVALID_ARGUMENT unless ValidateId(id).
  absl::StatusOr<std::optional<Termination>> Terminated(
      const std::string& id) override;

  // Ids of this kind whose process runs now, sorted.
  absl::StatusOr<std::vector<std::string>> List() override;

  // Stops every process of this kind with a pid file under RUNTIME/run/ and
  // removes every prefix of this kind; processes of other owners or kinds
  // are left alone. Idempotent.
  absl::Status Recover() override;

 private:
  // Whether `id` names one of ours of this kind (by the id pattern and the
  // prefix's `kind` file).
  bool IsOurs(const std::string& id) const;
  bool MatchesPattern(const std::string& id) const;

  // The ids in `dir` of this kind (by IsOurs) named NAME`suffix`.
  std::vector<std::string> OursIn(const std::string& dir,
                                  const std::string& suffix) const;

  os::Env& env_;
  OwnedProcessKind kind_;
  absl::Duration stop_grace_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_OWNED_PROCESS_H_
