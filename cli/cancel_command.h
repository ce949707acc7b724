// `scalebench cancel EXPERIMENT`: CancelExperiment, then the state the
// experiment is in afterwards. No global state.
#ifndef SCALEBENCH_CLI_CANCEL_COMMAND_H_
#define SCALEBENCH_CLI_CANCEL_COMMAND_H_

#include <ostream>
#include <string>

#include "cli/client.h"
#include "common/command_line.h"

namespace scalebench::cli {

struct CancelFlags {
  ClientFlags client;
  std::string experiment;
  OutputFormat output = OutputFormat::kText;
};

// Adds the command's argument and flags, bound to `flags`, with its
// manual as the help's footer.
void AddCancelFlags(CLI::App& cancel, CancelFlags* flags);

// Returns kExitOk; kExitBadInput for a bad or unknown EXPERIMENT;
// kExitRunFailed when the coordinator cannot be reached or refuses
// (FAILED_PRECONDITION, UNIMPLEMENTED: its message is printed).
int RunCancel(const CancelFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_CANCEL_COMMAND_H_
