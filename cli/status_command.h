// `scalebench status [EXPERIMENT]`, `scalebench workers` and
// `scalebench cancel EXPERIMENT`: read or change what the coordinator
// holds, one unary call each, printed as aligned text or as the API's
// messages in JSON. No global state.
#ifndef SCALEBENCH_CLI_STATUS_COMMAND_H_
#define SCALEBENCH_CLI_STATUS_COMMAND_H_

#include <ostream>
#include <string>

#include "cli/client.h"
#include "common/command_line.h"

namespace scalebench::cli {

struct StatusFlags {
  ClientFlags client;
  // Empty: list every experiment.
  std::string experiment;
  OutputFormat output = OutputFormat::kText;
};

struct WorkersFlags {
  ClientFlags client;
  OutputFormat output = OutputFormat::kText;
};

struct CancelFlags {
  ClientFlags client;
  std::string experiment;
  OutputFormat output = OutputFormat::kText;
};

// Add each command's arguments and flags, bound to `flags`, with its
// manual as the help's footer.
void AddStatusFlags(CLI::App& status, StatusFlags* flags);
void AddWorkersFlags(CLI::App& workers, WorkersFlags* flags);
void AddCancelFlags(CLI::App& cancel, CancelFlags* flags);

// Each returns kExitOk; kExitBadInput for a bad EXPERIMENT or one the
// coordinator does not know; kExitRunFailed when the coordinator cannot be
// reached or refuses (cancel: FAILED_PRECONDITION, UNIMPLEMENTED).
int RunStatus(const StatusFlags& flags, std::ostream& out, std::ostream& err);
int RunWorkers(const WorkersFlags& flags, std::ostream& out, std::ostream& err);
int RunCancel(const CancelFlags& flags, std::ostream& out, std::ostream& err);

// "succeeded", "running", ... for people; "unknown" for unspecified.
std::string StateName(v1::ExperimentState state);
std::string StateName(v1::TrialState state);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_STATUS_COMMAND_H_
