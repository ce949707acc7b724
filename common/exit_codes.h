// The exit codes of every scalebench binary: the same status means the same
// code everywhere, so a script can tell "fix your input" from "the run
// failed" without knowing which binary it ran.
#ifndef SCALEBENCH_COMMON_EXIT_CODES_H_
#define SCALEBENCH_COMMON_EXIT_CODES_H_

#include "absl/status/status.h"

namespace scalebench {

// It worked.
inline constexpr int kExitOk = 0;
// The run failed: a measurement that failed, a server that could not be
// reached, a model that could not be fitted to a group, an internal error.
inline constexpr int kExitRunFailed = 1;
// The command line or the input is wrong; the message says where.
inline constexpr int kExitBadInput = 2;

// kExitOk for OK; kExitBadInput for codes that blame the input
// (INVALID_ARGUMENT, NOT_FOUND, OUT_OF_RANGE, ALREADY_EXISTS); otherwise
// kExitRunFailed.
int ExitCodeFor(const absl::Status& status);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_EXIT_CODES_H_
