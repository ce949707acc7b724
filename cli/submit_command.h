// `scalebench submit SPEC` and `scalebench validate SPEC`: read an
// experiment spec, check it locally (a spec error names file:line and
// creates nothing), then either submit it to the coordinator
// (CreateExperiment, printing the experiment's name last) or print its
// expanded grid without contacting anyone. No global state.
#ifndef SCALEBENCH_CLI_SUBMIT_COMMAND_H_
#define SCALEBENCH_CLI_SUBMIT_COMMAND_H_

#include <ostream>
#include <string>

#include "cli/client.h"
#include "common/command_line.h"

namespace scalebench::cli {

struct SubmitFlags {
  ClientFlags client;
  std::string spec;
  std::string request_id;
  OutputFormat output = OutputFormat::kText;
  // --allow-waiting: submit even when the workers synchronizing now could
  // not run some configuration (they may still join), with a warning on
  // stderr. Default false: refuse, exit 1, create nothing.
  bool allow_waiting = false;
  // Not a flag: whether to look at the workers at all. `run` clears it:
  // its embedded worker may not have synchronized yet, and its closed
  // cluster fails at once what the worker cannot run. Default true.
  bool check_workers = true;
};

struct ValidateFlags {
  std::string spec;
  OutputFormat output = OutputFormat::kText;
};

// Add the commands' arguments and flags, bound to `flags`, and their
// manuals as the help's footer.
void AddSubmitFlags(CLI::App& submit, SubmitFlags* flags);
void AddValidateFlags(CLI::App& validate, ValidateFlags* flags);

// Returns kExitOk; kExitBadInput for a spec error (local or the server's
// INVALID_ARGUMENT) with nothing created; kExitRunFailed when the
// coordinator cannot be reached or refuses (FAILED_PRECONDITION), which
// includes, without allow_waiting, a configuration the workers
// synchronizing now could not run.
int RunSubmit(const SubmitFlags& flags, std::ostream& out, std::ostream& err);

// Returns kExitOk or kExitBadInput.
int RunValidate(const ValidateFlags& flags, std::ostream& out,
                std::ostream& err);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_SUBMIT_COMMAND_H_
