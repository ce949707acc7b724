// The operating system as scalebench's worker and coordinator use it,
// behind one small interface (the model is LevelDB's Env): running a
// program to completion, starting, finding and stopping long-lived owned
// processes (pid files that record the start time), and small files and
// directories. Env::Default() is the real one (os/posix_env.cc); tests use
// os/recording_env.h, which records every call and returns scripted
// results. Implementations are thread-safe.
#ifndef SCALEBENCH_OS_ENV_H_
#define SCALEBENCH_OS_ENV_H_

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace scalebench::os {

// How Env::Run runs a program.
struct RunOptions {
  // Killed (SIGKILL) and DEADLINE_EXCEEDED after this long. Default 30 s.
  absl::Duration timeout = absl::Seconds(30);
  // Bytes kept of stdout and of stderr each; more is read and dropped
  // (ProgramOutput::truncated). Default 1 MiB.
  size_t max_output_bytes = size_t{1} << 20;
};

// What a program run to completion did.
struct ProgramOutput {
  // Its exit status; -1 when it was killed by a signal (then `signal`).
  int exit_code = -1;
  int signal = 0;
  std::string out;  // What it wrote to stdout, up to max_output_bytes.
  std::string err;  // What it wrote to stderr, up to max_output_bytes.
  // Whether either stream had more than max_output_bytes.
  bool truncated = false;
};

// "exited with status 1: <stderr, else stdout, tail>" or "was killed by
// signal 9", for error messages.
std::string DescribeOutcome(const ProgramOutput& output);

// A long-lived process to start.
struct ProcessLaunch {
  // argv[0] is the program (a path, or a name looked up on PATH).
  std::vector<std::string> argv;
  // Cores to pin the process (and so its children) to; empty = unpinned.
  std::vector<int> cpus;
  // Where its stdout and stderr go (appended); empty = /dev/null.
  std::string log_path;
  // Where its pid file ("PID START_TIME") is written; required.
  std::string pid_file;
  // For programs that daemonize and write their own pid file: wait up to
  // this long for `pid_file` to appear and adopt the pid in it. Zero (the
  // default) = the started child is the process.
  absl::Duration own_pid_file_wait = absl::ZeroDuration();
};

// What became of the process of a pid file.
struct ProcessStatus {
  enum class State {
    kRunning,   // Runs now (same pid and start time).
    kExited,    // Ended with `exit_code` (known for our own children).
    kSignaled,  // Killed by `signal` (known for our own children).
    kGone,      // No longer runs, how it ended unknown; or no pid file.
  };
  State state = State::kGone;
  pid_t pid = 0;
  int exit_code = 0;
  int signal = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The real operating system, timed by Clock::Real(). Never null; not
  // owned by the caller.
  static Env* Default();

  // Runs argv (argv[0] a path or a name on PATH) with stdin from
  // /dev/null and waits until it exits; output that descendants write
  // after that is not waited for. A non-zero exit is a result, not an
  // error. INVALID_ARGUMENT for an empty argv; FAILED_PRECONDITION when the
  // program cannot be found or run; DEADLINE_EXCEEDED (after killing it)
  // when it runs past options.timeout.
  virtual absl::StatusOr<ProgramOutput> Run(
      const std::vector<std::string>& argv, const RunOptions& options) = 0;

  // Starts the process in its own session, detached from the terminal,
  // with none of the caller's descriptors or blocked signals, and writes
  // its pid file. Returns its pid. INTERNAL with the reason (and the log's
  // tail) when it cannot start or exits at once (within about 50 ms).
  virtual absl::StatusOr<pid_t> StartProcess(const ProcessLaunch& launch) = 0;

  // The pid recorded in `pid_file` if that process still runs (same pid
  // and start time); 0 when the file is absent or the process is gone.
  virtual absl::StatusOr<pid_t> FindProcess(const std::string& pid_file) = 0;

  // Whether the process of `pid_file` runs, and if not, how it ended when
  // that is known. kGone when there is no pid file.
  virtual ProcessStatus ProcessStatusOf(const std::string& pid_file) = 0;

  // Stops the process of `pid_file` and its process group: SIGTERM, then
  // SIGKILL after `grace`; waits until it is gone, then removes the pid
  // file. Idempotent: OK when the file or the process is gone.
  virtual absl::Status StopProcess(const std::string& pid_file,
                                   absl::Duration grace) = 0;

  // Writes `contents` to `path` with `mode` through a temporary file,
  // fsync and rename: a reader sees the old file or the new one, never
  // half of it. INTERNAL naming the path on failure.
  virtual absl::Status WriteFileAtomically(const std::string& path,
                                           absl::string_view contents,
                                           mode_t mode = 0644) = 0;

  // Creates `path` and its missing parents, and gives `path` itself `mode`
  // (whatever the umask). OK when it exists. INTERNAL naming the part that
  // could not be made.
  virtual absl::Status MakeDirs(const std::string& path,
                                mode_t mode = 0755) = 0;

  // The contents of the regular file `path`, at most `max_bytes`.
  // NOT_FOUND when it does not exist; INVALID_ARGUMENT when it is larger
  // or not a regular file.
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path,
                                               size_t max_bytes) = 0;

  // The last `max_bytes` of the file `path` (a log), prefixed with "..."
  // when cut, trailing whitespace removed; "" when it cannot be read.
  virtual std::string ReadFileTail(const std::string& path,
                                   size_t max_bytes) = 0;

  // Whether `path` is a regular file.
  virtual bool FileExists(const std::string& path) = 0;

  // Whether `program` can be run: an executable path, or a name found on
  // PATH.
  virtual bool IsExecutable(const std::string& program) = 0;

  // The names in directory `path` (not "." or ".."), sorted. NOT_FOUND
  // when it does not exist.
  virtual absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& path) = 0;

  // The target of symbolic link `path`; NOT_FOUND when there is none.
  virtual absl::StatusOr<std::string> ReadLink(const std::string& path) = 0;

  // Removes the file `path`. Idempotent.
  virtual absl::Status RemoveFile(const std::string& path) = 0;

  // Removes `path` and everything under it. Idempotent.
  virtual absl::Status RemoveTree(const std::string& path) = 0;
};

}  // namespace scalebench::os

#endif  // SCALEBENCH_OS_ENV_H_
