// `scalebench changepoints`: finds where a measured series shifted level
// (a nightly benchmark getting slower), per group with --by, in a CSV
// file, and prints the change points for people or as JSON. Offline, a
// thin front end over analysis::DetectChangePoints; kChangepointsManual is
// its manual. No global state.
#ifndef SCALEBENCH_CLI_CHANGEPOINTS_COMMAND_H_
#define SCALEBENCH_CLI_CHANGEPOINTS_COMMAND_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "analysis/change_points.h"
#include "common/command_line.h"

namespace scalebench::cli {

// What `scalebench changepoints --help` prints below the list of flags.
extern const char kChangepointsManual[];

// The flags as given, before they are checked.
struct ChangepointsFlags {
  std::string data;
  std::string x;
  std::string y;
  std::vector<std::string> by;
  OutputFormat output = OutputFormat::kText;
  // --significance, --permutations, --min-segment and --seed; the
  // defaults are analysis::ChangePointOptions'.
  analysis::ChangePointOptions options;
};

// Adds the flags to `command` (the subcommand), bound to `flags`, with its
// manual as the help's footer.
void AddChangepointsFlags(CLI::App& command, ChangepointsFlags* flags);

// Runs the command. Results go to `out`, messages to `err`. Returns
// kExitOk, or kExitBadInput when a flag is missing or out of range, or
// the file cannot be read or holds a y that is not a number (the message
// names the flag, or the file, line and column).
int RunChangepoints(const ChangepointsFlags& flags, std::ostream& out,
                    std::ostream& err);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_CHANGEPOINTS_COMMAND_H_
