// scalebench-worker: the daemon on every host, and run-trial for one trial
// without a coordinator.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/command_line.h"
#include "common/stop_signals.h"
#include "worker/agent/daemon.h"
#include "worker/agent/run_trial.h"

namespace scalebench::worker {
namespace {

constexpr char kDescription[] =
    "scalebench-worker: the agent on every host. It dials the coordinator,\n"
    "starts targets (native, docker, qemu, xen) and balancers (haproxy,\n"
    "nginx) pinned to their cores, runs the load generator at the agreed\n"
    "instant, spools results until the coordinator has them, and removes\n"
    "whatever an earlier worker with the same state dir left behind.\n\n"
    "  scalebench-worker --coordinator HOST:PORT [--name NAME] [--state-dir "
    "DIR]\n"
    "  scalebench-worker run-trial SPEC.yaml [--configuration N] [--dry-run]";

int Main(const std::vector<std::string>& args) {
  BlockStopSignals();  // Before any thread starts.
  CommandLine command_line("scalebench-worker", kDescription);
  command_line.set_command_required(false);
  DaemonFlags daemon;
  AddDaemonFlags(command_line.app(), &daemon);
  RunTrialFlags run_trial;
  CLI::App* run_trial_command =
      AddRunTrialCommand(command_line.app(), &run_trial);
  command_line.AddHelpCommand();
  if (std::optional<int> exit =
          command_line.Parse(args, std::cout, std::cerr)) {
    return *exit;
  }
  if (run_trial_command->parsed()) {
    return RunTrialCommand(run_trial, Clock::Real(), std::cout, std::cerr);
  }
  return RunDaemon(daemon, Clock::Real(), std::cerr);
}

}  // namespace
}  // namespace scalebench::worker

int main(int argc, char** argv) {
  return scalebench::worker::Main(
      std::vector<std::string>(argv + 1, argv + argc));
}
