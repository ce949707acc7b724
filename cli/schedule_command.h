// `scalebench schedule add|list|show|pause|resume|delete|run-now|runs`:
// nightly sweeps kept by the coordinator (schedules.proto). add reads and
// validates the spec and the cron expression here first, so a mistake is
// reported before anything is sent. No global state.
#ifndef SCALEBENCH_CLI_SCHEDULE_COMMAND_H_
#define SCALEBENCH_CLI_SCHEDULE_COMMAND_H_

#include <ostream>
#include <string>

#include "cli/client.h"
#include "common/command_line.h"

namespace scalebench::cli {

struct ScheduleCall;

struct ScheduleFlags {
  ClientFlags client;
  // Set by the parse: the subcommand given ("add", "run-now") and what
  // runs it.
  std::string command;
  int (*run)(const ScheduleCall& call) = nullptr;
  OutputFormat output = OutputFormat::kText;
  // NAME: "nightly-nginx" or "schedules/nightly-nginx".
  std::string name;
  // add only.
  std::string spec;
  std::string cron;
  std::string time_zone;
  std::string webhook;
  std::string baseline;
  std::string threshold = "3%";
  // run-now only: makes a retried run-now return the first one's run.
  std::string request_id;
};

// Adds `schedule` and its subcommands, bound to `flags`, each with its
// manual.
void AddScheduleFlags(CLI::App& schedule, ScheduleFlags* flags);

// Runs the subcommand that was parsed. Returns kExitOk; kExitBadInput for
// a bad argument, spec, cron expression or an unknown schedule;
// kExitRunFailed when the coordinator cannot be reached or refuses (a
// run-now while the previous run goes on).
int RunSchedule(const ScheduleFlags& flags, std::ostream& out,
                std::ostream& err);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_SCHEDULE_COMMAND_H_
