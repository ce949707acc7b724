// The command table: one line per `scalebench` command (command.h).
#include "cli/cancel_command.h"
#include "cli/changepoints_command.h"
#include "cli/command.h"
#include "cli/compare_command.h"
#include "cli/fit_command.h"
#include "cli/history_command.h"
#include "cli/report_command.h"
#include "cli/results_command.h"
#include "cli/run_command.h"
#include "cli/schedule_command.h"
#include "cli/status_command.h"
#include "cli/submit_command.h"
#include "cli/watch_command.h"
#include "cli/workers_command.h"

namespace scalebench::cli {

std::vector<Command> Commands() {
  return {
      MakeCommand("run",
                  "run a spec on this machine alone: the embedded default",
                  &AddRunFlags, &RunRun),
      MakeCommand("submit",
                  "validate a spec and submit it; prints the experiment's name",
                  &AddSubmitFlags, &RunSubmit),
      MakeCommand("validate",
                  "check a spec and print its grid, without a coordinator",
                  &AddValidateFlags, &RunValidate),
      MakeCommand("watch",
                  "follow an experiment until it ends, across restarts",
                  &AddWatchFlags, &RunWatchCommand),
      MakeCommand("status", "list experiments, or show one with its trials",
                  &AddStatusFlags, &RunStatus),
      MakeCommand("workers", "list the workers the coordinator knows",
                  &AddWorkersFlags, &RunWorkers),
      MakeCommand("cancel", "cancel an experiment", &AddCancelFlags,
                  &RunCancel),
      MakeCommand("results",
                  "an experiment's results: table, CSV (for fit) or JSON",
                  &AddResultsFlags, &RunResults),
      MakeCommand("fit",
                  "fit a scalability model (linear, poly:D, usl, amdahl) to a "
                  "CSV, or show an experiment's fits",
                  &AddFitFlags, &RunFit),
      MakeCommand("changepoints",
                  "find where a series (nightly results) shifted level",
                  &AddChangepointsFlags, &RunChangepoints),
      MakeCommand("compare",
                  "is a change between two experiments real? exit 1 on a "
                  "regression",
                  &AddCompareFlags, &RunCompare),
      MakeCommand("report",
                  "an experiment (or two, compared) as one offline HTML page "
                  "with charts, and CSVs",
                  &AddReportFlags, &RunReport),
      MakeCommand("schedule",
                  "nightly sweeps: add, list, pause, resume, delete, run-now",
                  &AddScheduleFlags, &RunSchedule),
      MakeCommand("history",
                  "a schedule's nightly series with the shifts found in it",
                  &AddHistoryFlags, &RunHistory),
  };
}

}  // namespace scalebench::cli
