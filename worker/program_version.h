// The version of an installed program, for host facts and CheckUsable():
// runs it with its version flag (through the OS seam) and picks the
// version out of what it prints. Thread-safe.
#ifndef SCALEBENCH_WORKER_PROGRAM_VERSION_H_
#define SCALEBENCH_WORKER_PROGRAM_VERSION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "os/env.h"

namespace scalebench::worker {

// Runs `argv` (e.g. {"/usr/sbin/nginx", "-v"}) on `env` and returns the
// word right after the first `marker` in its output (stdout, then
// stderr), up to the next whitespace: marker "nginx/" gives "1.22.1" from
// "nginx version: nginx/1.22.1", marker "HAProxy version " gives
// "2.6.12-1+deb12u4". The form host facts report ("nginx" -> "1.22.1").
// FAILED_PRECONDITION when the program cannot be run, fails, prints no
// such word, or runs longer than `timeout`.
absl::StatusOr<std::string> ProgramVersion(
    os::Env& env, const std::vector<std::string>& argv,
    const std::string& marker, absl::Duration timeout = absl::Seconds(5));

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_PROGRAM_VERSION_H_
