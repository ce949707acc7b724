// `scalebench workers`: the workers the coordinator knows (ListWorkers),
// as a table or as the API's response in JSON. No global state.
#ifndef SCALEBENCH_CLI_WORKERS_COMMAND_H_
#define SCALEBENCH_CLI_WORKERS_COMMAND_H_

#include <ostream>

#include "cli/client.h"
#include "common/command_line.h"

namespace scalebench::cli {

struct WorkersFlags {
  ClientFlags client;
  OutputFormat output = OutputFormat::kText;
};

// Adds the command's flags, bound to `flags`, with its manual as the
// help's footer.
void AddWorkersFlags(CLI::App& workers, WorkersFlags* flags);

// Returns kExitOk, or kExitRunFailed when the coordinator cannot be
// reached (kExitBadInput for bad connection flags).
int RunWorkers(const WorkersFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_WORKERS_COMMAND_H_
