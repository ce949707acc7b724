// `scalebench run SPEC`: the embedded default. Starts a coordinator and a
// worker in this process, talking over a real gRPC channel on 127.0.0.1
// with the store in ./scalebench-data/ (--data-dir), submits the spec,
// follows it with a progress bar, then prints the results table and the
// model fits, and stops both. Ctrl-C cancels the experiment and tears
// down what runs. No global state beyond the stop signals it blocks.
#ifndef SCALEBENCH_CLI_RUN_COMMAND_H_
#define SCALEBENCH_CLI_RUN_COMMAND_H_

#include <ostream>
#include <string>

#include "cli/command.h"
#include "common/command_line.h"

namespace scalebench::cli {

struct RunFlags {
  std::string spec;
  // The coordinator's store and the worker's state live here.
  std::string data_dir = "./scalebench-data";
  // The worker's --runtime-dir: where its targets' files go (empty = the
  // worker's default, worker/runtime_dir.h).
  std::string runtime_dir;
  // The results table shows every factor as a column (results --wide).
  bool wide = false;
};

// Adds the command's argument and flags, with its manual as the footer.
void AddRunFlags(CLI::App& run, RunFlags* flags);

// Returns kExitOk when the experiment succeeded; kExitBadInput for a spec
// error (nothing started); kExitRunFailed when it failed, was cancelled,
// or the coordinator or worker could not start. On a terminal the
// progress bar is drawn in place; the coordinator and the watch run on
// `env.clock`.
int RunRun(const RunFlags& flags, const CommandEnv& env);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_RUN_COMMAND_H_
