// Runs a program to completion and captures what it prints: for short
// toolstack commands (`xl create`, `xl list`, `xl destroy`) whose output
// the driver reads. Long-lived children belong to worker/process.h instead.
// Thread-safe (no shared state).
#ifndef SCALEBENCH_WORKER_TARGETS_RUN_PROGRAM_H_
#define SCALEBENCH_WORKER_TARGETS_RUN_PROGRAM_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace scalebench::worker {

struct ProgramOutput {
  // The exit status; -1 when the program was killed by a signal.
  int exit_code = -1;
  std::string out;  // Everything it wrote to stdout.
  std::string err;  // Everything it wrote to stderr.
};

// Runs argv (argv[0] a path, or a name looked up on PATH) with stdin from
// /dev/null, and waits until it exits; output that descendants still
// write after that is not waited for (xl create leaves a monitoring
// daemon behind). A non-zero exit is a result, not an error.
// FAILED_PRECONDITION when the program cannot be found or run;
// DEADLINE_EXCEEDED (after killing it) when it runs longer than `timeout`
// on `clock`.
absl::StatusOr<ProgramOutput> RunProgram(const std::vector<std::string>& argv,
                                         absl::Duration timeout, Clock& clock);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_TARGETS_RUN_PROGRAM_H_
