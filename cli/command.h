// What every scalebench subcommand shares: its entry point's shape and the
// exit codes. A command writes results to `out`, problems to `err`, and
// returns its exit code; it keeps no global state (thread-compatible).
#ifndef SCALEBENCH_CLI_COMMAND_H_
#define SCALEBENCH_CLI_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace scalebench::cli {

inline constexpr int kExitOk = 0;
// Something went wrong that is not the user's input.
inline constexpr int kExitFailure = 1;
// The command line or the input is wrong; the message says where.
inline constexpr int kExitBadInput = 2;

using CommandFunction = int (*)(const std::vector<std::string>& args,
                                std::ostream& out, std::ostream& err);

struct Command {
  const char* name;
  // One line for `scalebench --help`.
  const char* summary;
  CommandFunction run;
};

// kExitBadInput for statuses that blame the input (INVALID_ARGUMENT,
// NOT_FOUND, OUT_OF_RANGE), kExitFailure for the rest, kExitOk for OK.
inline int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kOutOfRange:
      return kExitBadInput;
    default:
      return kExitFailure;
  }
}

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_COMMAND_H_
