// The whole `scalebench` command line: the commands of the table in
// command.h, their flags, and which one runs. main() is a one-line call to
// Main; tests call it too, so they exercise the command line a user types.
// No global state.
#ifndef SCALEBENCH_CLI_APP_H_
#define SCALEBENCH_CLI_APP_H_

#include <ostream>
#include <string>
#include <vector>

#include "common/clock.h"

namespace scalebench::cli {

// Runs `scalebench ARGS...` (`args` without the program name): results to
// `out`, messages to `err`, time from `clock` (main() passes the process
// clock, tests a FakeClock). Returns the exit code (common/exit_codes.h).
int Main(const std::vector<std::string>& args, std::ostream& out,
         std::ostream& err, Clock& clock);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_APP_H_
