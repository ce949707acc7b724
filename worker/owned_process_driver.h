// The part every driver of owned processes shares (the native target
// driver and the haproxy and nginx balancers): Start over an
// OwnedProcesses, which answers Recover, WaitReady, Stop, List and
// Terminated, the version probe and CheckUsable. A driver adds its kind,
// its Plan() and what its Start() needs besides the plan (StartDetails).
// Thread-compatible.
#ifndef SCALEBENCH_WORKER_OWNED_PROCESS_DRIVER_H_
#define SCALEBENCH_WORKER_OWNED_PROCESS_DRIVER_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "worker/driver.h"
#include "worker/owned_process.h"
#include "worker/program_version.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

// How a driver's program reports its version: `binary flag` and the
// marker before the version (see program_version.h).
struct VersionProbe {
  std::string binary;
  std::string flag = "-v";
  std::string marker;
};

// `Base` is TargetDriver or Balancer; `Launch` its launch type.
template <typename Base, typename Launch>
class OwnedProcessDriver : public Base {
 public:
  OwnedProcessDriver(const OwnedProcessDriver&) = delete;
  OwnedProcessDriver& operator=(const OwnedProcessDriver&) = delete;

  // The program's version ("1.22.1"), for host facts. FAILED_PRECONDITION
  // when it cannot be run.
  absl::StatusOr<std::string> Version() {
    return ProgramVersion(*context_.env, {version_.binary, version_.flag},
                          version_.marker);
  }

  // FAILED_PRECONDITION when the program cannot be run or, for a program
  // whose workers read the prefix as another user, they could not.
  absl::Status CheckUsable() override {
    if (absl::Status s = Version().status(); !s.ok()) return s;
    return read_by_workers_ ? processes_.CheckReachable() : absl::OkStatus();
  }

  // Writes the plan's files and starts its command. FAILED_PRECONDITION
  // when one of that id runs already or the port is taken; INTERNAL with
  // the program's log when it exits at once.
  absl::StatusOr<Target> Start(const Launch& launch) override {
    absl::StatusOr<LaunchPlan> plan = this->Plan(launch);
    if (!plan.ok()) return plan.status();
    absl::StatusOr<OwnedProcesses::PlannedStart> start = StartDetails(launch);
    if (!start.ok()) return start.status();
    start->id = launch.id;
    start->read_by_workers = read_by_workers_;
    start->files = plan->files;
    start->argv = plan->commands.front();
    start->cpus = launch.cpus;
    absl::StatusOr<pid_t> pid = processes_.StartPlanned(*start);
    if (!pid.ok()) return pid.status();
    return Target{launch.id, start->listen.ToString()};
  }

  // RUNTIME/<area>/<id>, where its files live while it runs.
  std::string PrefixOf(const std::string& id) const {
    return processes_.Prefix(id);
  }

 protected:
  // `read_by_workers`: the program's workers read the prefix as nobody
  // when the worker is root (nginx).
  OwnedProcessDriver(const WorkerContext& context, OwnedProcessKind kind,
                     absl::Duration stop_grace, VersionProbe version,
                     bool read_by_workers)
      : context_(context),
        processes_(context, std::move(kind), stop_grace),
        version_(std::move(version)),
        read_by_workers_(read_by_workers) {}

  // What Start() needs besides the plan: `what`, `listen`, `subdirs` and
  // `log_path` (the rest is filled in). Called after Plan() succeeded.
  virtual absl::StatusOr<OwnedProcesses::PlannedStart> StartDetails(
      const Launch& launch) = 0;

  Instances& instances() final { return processes_; }

  WorkerContext context_;
  OwnedProcesses processes_;

 private:
  VersionProbe version_;
  bool read_by_workers_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_OWNED_PROCESS_DRIVER_H_
