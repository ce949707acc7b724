// `scalebench watch EXPERIMENT`: follows an experiment until it ends
// (watch_loop.h), showing a progress bar redrawn in place on a terminal and
// one plain line per event otherwise. Exit 0 when it succeeded, 1 when it
// failed or was cancelled (saying why) or the coordinator stayed
// unreachable. No global state.
#ifndef SCALEBENCH_CLI_WATCH_COMMAND_H_
#define SCALEBENCH_CLI_WATCH_COMMAND_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "cli/client.h"
#include "cli/command.h"
#include "cli/watch_loop.h"
#include "common/clock.h"
#include "common/command_line.h"

namespace scalebench::cli {

struct WatchFlags {
  ClientFlags client;
  std::string experiment;
};

// Adds the command's argument and flags, with its manual as the footer.
void AddWatchFlags(CLI::App& watch, WatchFlags* flags);

// Where the progress goes and how it looks.
struct WatchOutput {
  std::ostream* out = nullptr;
  // A terminal: one progress line redrawn with carriage returns.
  bool terminal = false;
};

// The view that prints one line per event: "[3/12] trial 2 measuring",
// and "coordinator unavailable, reconnecting..." once per outage.
std::unique_ptr<WatchView> MakeLineView(std::ostream& out);
// The view for a terminal: a progress bar with trials done/total, the
// phase of the running trials and the estimated time left.
std::unique_ptr<WatchView> MakeBarView(std::ostream& out);

// GetExperiment in the FULL view with every trial (status_command.h
// GetAllPages).
using FetchTrials = std::function<absl::StatusOr<v1::GetExperimentResponse>()>;

// Wraps `view`: when an event brings a new Experiment.waiting_for, fetches
// the trials once and prints each line of WaitingTrialLines it has not
// printed before ("  trial 3 waits: ..."), so a trial's reason shows when
// it appears or changes, not on every event. On a terminal the lines go
// above the bar (cleared first, redrawn after); otherwise after the
// event's line. A failed fetch prints nothing: the event's own line said
// what the experiment waits for.
std::unique_ptr<WatchView> WithWaitingTrials(std::unique_ptr<WatchView> view,
                                             FetchTrials fetch,
                                             std::ostream& out, bool terminal);

// Runs the command; `clock` paces reconnection.
int RunWatch(const WatchFlags& flags, const WatchOutput& output, Clock& clock,
             std::ostream& err, const WatchOptions& options = {});
// RunWatch as the command table runs it: to env.out, a bar on a terminal,
// on env.clock.
int RunWatchCommand(const WatchFlags& flags, const CommandEnv& env);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_WATCH_COMMAND_H_
