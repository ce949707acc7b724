// `scalebench-worker run-trial SPEC.yaml`: one trial of one grid point on
// this host, without a coordinator, for operators and tests; or, with
// --dry-run, the plan of it: the core map, every generated config and every
// command, starting nothing. Thread-compatible.
#ifndef SCALEBENCH_WORKER_AGENT_RUN_TRIAL_H_
#define SCALEBENCH_WORKER_AGENT_RUN_TRIAL_H_

#include <optional>
#include <ostream>
#include <string>

#include "common/clock.h"
#include "common/command_line.h"
#include "worker/agent/worker_host.h"

namespace scalebench::worker {

// run-trial's flags: the worker's own (worker_host.h, shared with the
// daemon), then the trial's.
struct RunTrialFlags : WorkerFlags {
  std::string spec_path;
  // The Configuration.index to run; required when the grid has several.
  std::optional<uint32_t> configuration;
  OutputFormat output = OutputFormat::kText;
  bool dry_run = false;
};

// Adds the run-trial subcommand to `app`, bound to `flags`.
CLI::App* AddRunTrialCommand(CLI::App& app, RunTrialFlags* flags);

// Runs it: results to `out`, messages to `err`; the exit code (0 the trial
// succeeded, 1 it failed, 2 the spec or flags are wrong). `clock` is the
// worker's time (see WorkerHost::Open).
int RunTrialCommand(const RunTrialFlags& flags, Clock* clock, std::ostream& out,
                    std::ostream& err);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_RUN_TRIAL_H_
