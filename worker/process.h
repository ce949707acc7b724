// Child processes the worker starts and must be able to find again after a
// crash: each is started with a pid file under the state dir that records
// its pid and its start time (from /proc), so a recycled pid is never
// mistaken for it. Used by the native driver, the balancers and the QEMU
// driver. Thread-compatible.
#ifndef SCALEBENCH_WORKER_PROCESS_H_
#define SCALEBENCH_WORKER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace scalebench::worker {

struct ProcessLaunch {
  // argv[0] is the program (a path, or a name looked up on PATH).
  std::vector<std::string> argv;
  // Cores to pin the process (and so its children) to; empty = unpinned.
  std::vector<int> cpus;
  // Where its stdout and stderr go (appended); empty = /dev/null.
  std::string log_path;
  // Where its pid file is written; required.
  std::string pid_file;
  // For programs that daemonize and write their own pid file (nginx
  // without "daemon off"): wait up to this long for `pid_file` to appear,
  // and adopt the pid in it. Zero = the pid of the started child is the
  // process (preferred: run programs in the foreground).
  absl::Duration own_pid_file_wait = absl::ZeroDuration();
};

// Starts the process in its own process group, detached from the worker's
// terminal, and writes its pid file. Returns its pid. INTERNAL with the
// reason (and the log's tail) when it cannot start or exits at once.
absl::StatusOr<pid_t> StartProcess(const ProcessLaunch& launch);

// The pid recorded in `pid_file` if that process still runs (same pid and
// start time); 0 when the file is absent or the process is gone.
absl::StatusOr<pid_t> FindProcess(const std::string& pid_file);

// Stops the process of `pid_file` and its process group: SIGTERM, then
// SIGKILL after `grace`; waits until it is gone, then removes the pid
// file. Idempotent: OK when the file or the process is gone.
absl::Status StopProcess(const std::string& pid_file, Clock& clock,
                         absl::Duration grace = absl::Seconds(5));

// The last `max_bytes` of a log file, for error messages; "" if none.
std::string LogTail(const std::string& path, size_t max_bytes = 2000);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_PROCESS_H_
