// The version of an installed program, for host facts and CheckUsable():
// runs it with its version flag and keeps the first line it prints.
// Thread-safe.
#ifndef SCALEBENCH_WORKER_PROGRAM_VERSION_H_
#define SCALEBENCH_WORKER_PROGRAM_VERSION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace scalebench::worker {

// Runs `argv` (e.g. {"/usr/sbin/nginx", "-v"}) with stdout and stderr
// captured and returns the first non-empty line containing `marker`
// ("nginx version:", "HAProxy version"). FAILED_PRECONDITION when the
// program cannot be run, fails, prints no such line, or runs longer than
// `timeout`.
absl::StatusOr<std::string> ProgramVersion(
    const std::vector<std::string>& argv, const std::string& marker,
    absl::Duration timeout = absl::Seconds(5));

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_PROGRAM_VERSION_H_
