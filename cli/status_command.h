// `scalebench status [EXPERIMENT]`: every experiment as a table, or one
// with its trials and attempts (GetExperiment, FULL view), as aligned text
// or the API's messages in JSON. No global state.
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

// Adds the command's argument and flags, bound to `flags`, with its
// manual as the help's footer.
void AddStatusFlags(CLI::App& status, StatusFlags* flags);

// Returns kExitOk; kExitBadInput for a bad EXPERIMENT or one the
// coordinator does not know; kExitRunFailed when the coordinator cannot be
// reached.
int RunStatus(const StatusFlags& flags, std::ostream& out, std::ostream& err);

// "succeeded", "running", ... for people (and the other commands);
// "unknown" for unspecified.
std::string StateName(v1::ExperimentState state);
std::string StateName(v1::TrialState state);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_STATUS_COMMAND_H_
