#include "cli/app.h"

#include <unistd.h>

#include <iostream>
#include <optional>

#include "cli/cancel_command.h"
#include "cli/changepoints_command.h"
#include "cli/compare_command.h"
#include "cli/fit_command.h"
#include "cli/fit_request.h"
#include "cli/history_command.h"
#include "cli/report_command.h"
#include "cli/results_command.h"
#include "cli/run_command.h"
#include "cli/schedule_command.h"
#include "cli/status_command.h"
#include "cli/submit_command.h"
#include "cli/watch_command.h"
#include "cli/workers_command.h"
#include "common/clock.h"
#include "common/command_line.h"
#include "common/exit_codes.h"

namespace scalebench::cli {
namespace {

constexpr char kDescription[] =
    "scalebench: how does an HTTP service scale on a platform?\n"
    "Submit an experiment spec to a coordinator, follow it, read its\n"
    "results, and fit scalability models.";

}  // namespace

int Main(const std::vector<std::string>& args, std::ostream& out,
         std::ostream& err) {
  CommandLine command_line("scalebench", kDescription);
  CLI::App& app = command_line.app();

  RunFlags run_flags;
  CLI::App* run = app.add_subcommand(
      "run", "run a spec on this machine alone: the embedded default");
  AddRunFlags(*run, &run_flags);

  SubmitFlags submit_flags;
  CLI::App* submit = app.add_subcommand(
      "submit", "validate a spec and submit it; prints the experiment's name");
  AddSubmitFlags(*submit, &submit_flags);

  ValidateFlags validate_flags;
  CLI::App* validate = app.add_subcommand(
      "validate", "check a spec and print its grid, without a coordinator");
  AddValidateFlags(*validate, &validate_flags);

  WatchFlags watch_flags;
  CLI::App* watch = app.add_subcommand(
      "watch", "follow an experiment until it ends, across restarts");
  AddWatchFlags(*watch, &watch_flags);

  StatusFlags status_flags;
  CLI::App* status = app.add_subcommand(
      "status", "list experiments, or show one with its trials");
  AddStatusFlags(*status, &status_flags);

  WorkersFlags workers_flags;
  CLI::App* workers =
      app.add_subcommand("workers", "list the workers the coordinator knows");
  AddWorkersFlags(*workers, &workers_flags);

  CancelFlags cancel_flags;
  CLI::App* cancel = app.add_subcommand("cancel", "cancel an experiment");
  AddCancelFlags(*cancel, &cancel_flags);

  ResultsFlags results_flags;
  CLI::App* results = app.add_subcommand(
      "results", "an experiment's results: table, CSV (for fit) or JSON");
  AddResultsFlags(*results, &results_flags);

  FitFlags fit_flags;
  CLI::App* fit = app.add_subcommand(
      "fit",
      "fit a scalability model (linear, poly:D, usl, amdahl) to a CSV, or "
      "show an experiment's fits");
  AddFitFlags(*fit, &fit_flags);

  ChangepointsFlags changepoints_flags;
  CLI::App* changepoints = app.add_subcommand(
      "changepoints", "find where a series (nightly results) shifted level");
  AddChangepointsFlags(*changepoints, &changepoints_flags);

  CompareFlags compare_flags;
  CLI::App* compare = app.add_subcommand(
      "compare",
      "is a change between two experiments real? exit 1 on a "
      "regression");
  AddCompareFlags(*compare, &compare_flags);

  ReportFlags report_flags;
  CLI::App* report = app.add_subcommand(
      "report",
      "an experiment (or two, compared) as one offline HTML page with "
      "charts, and CSVs");
  AddReportFlags(*report, &report_flags);

  ScheduleFlags schedule_flags;
  CLI::App* schedule = app.add_subcommand(
      "schedule", "nightly sweeps: add, list, pause, resume, delete, run-now");
  AddScheduleFlags(*schedule, &schedule_flags);

  HistoryFlags history_flags;
  CLI::App* history = app.add_subcommand(
      "history", "a schedule's nightly series with the shifts found in it");
  AddHistoryFlags(*history, &history_flags);

  command_line.AddHelpCommand();
  if (std::optional<int> exit = command_line.Parse(args, out, err)) {
    return *exit;
  }
  if (run->parsed()) {
    return RunRun(run_flags, out, err,
                  &out == &std::cout && isatty(STDOUT_FILENO) == 1);
  }
  if (submit->parsed()) return RunSubmit(submit_flags, out, err);
  if (validate->parsed()) return RunValidate(validate_flags, out, err);
  if (watch->parsed()) {
    WatchOutput output;
    output.out = &out;
    output.terminal = &out == &std::cout && isatty(STDOUT_FILENO) == 1;
    return RunWatch(watch_flags, output, *Clock::Real(), err);
  }
  if (status->parsed()) return RunStatus(status_flags, out, err);
  if (workers->parsed()) return RunWorkers(workers_flags, out, err);
  if (cancel->parsed()) return RunCancel(cancel_flags, out, err);
  if (results->parsed()) return RunResults(results_flags, out, err);
  if (fit->parsed()) return RunFit(fit_flags, out, err);
  if (changepoints->parsed()) {
    return RunChangepoints(changepoints_flags, out, err);
  }
  if (compare->parsed()) return RunCompare(compare_flags, out, err);
  if (report->parsed()) return RunReport(report_flags, out, err);
  if (schedule->parsed()) {
    return RunSchedule(*schedule, schedule_flags, out, err);
  }
  if (history->parsed()) return RunHistory(history_flags, out, err);
  return kExitBadInput;  // Parse insists on a command.
}

}  // namespace scalebench::cli
