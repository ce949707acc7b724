// An Env for tests: records every call that changes something (one line
// each, in order), keeps files and directories in memory, runs no program
// and starts no process. Program runs return what a handler the test set
// says; started processes "run" until the test ends them or Stop is
// called. Its clock moves only when someone sleeps on it, so code that
// polls finishes at once without real sleeping. Thread-safe.
#ifndef SCALEBENCH_OS_RECORDING_ENV_H_
#define SCALEBENCH_OS_RECORDING_ENV_H_

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "os/env.h"

namespace scalebench::os {

// A Clock whose SleepUntil returns at once, having moved time forward to
// the deadline. Thread-safe.
class SteppingClock final : public Clock {
 public:
  absl::Duration Monotonic() const override;
  absl::Time Wall() const override;
  void SleepUntil(absl::Duration deadline) override;

 private:
  mutable absl::Mutex mu_;
  absl::Duration now_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
};

class RecordingEnv final : public Env {
 public:
  // What Run returns for one argv.
  using RunHandler = std::function<absl::StatusOr<ProgramOutput>(
      const std::vector<std::string>& argv)>;

  RecordingEnv() = default;
  RecordingEnv(const RecordingEnv&) = delete;
  RecordingEnv& operator=(const RecordingEnv&) = delete;

  // The clock to give the code under test (WorkerContext::clock).
  Clock* clock() { return &clock_; }

  // Every recorded call, in order: "run ARGV...", "start ARGV...",
  // "stop PID_FILE", "write PATH", "mkdirs PATH", "remove PATH",
  // "rmtree PATH".
  std::vector<std::string> calls() const;
  // The recorded calls that start with `prefix` ("run ", "write ", ...).
  std::vector<std::string> CallsStartingWith(const std::string& prefix) const;
  void ClearCalls();

  // Run of a program whose argv[0] is `program` answers with `handler`.
  // Without a handler Run is FAILED_PRECONDITION "cannot run PROGRAM", as
  // for a program that is not installed.
  void OnRun(const std::string& program, RunHandler handler);
  // StartProcess of `program` fails with `status` (INTERNAL, say, as when
  // it exits at once).
  void FailStart(const std::string& program, absl::Status status);
  // WriteFileAtomically of `path` fails with `status` (a full disk).
  void FailWrite(const std::string& path, absl::Status status);
  // The process of `pid_file` ends with `status` (kExited or kSignaled).
  void EndProcess(const std::string& pid_file, ProcessStatus status);
  // The pid a process started with `pid_file` got; 0 if none.
  pid_t PidOf(const std::string& pid_file) const;

  // The in-memory file system.
  void AddFile(const std::string& path, const std::string& contents);
  void AddExecutable(const std::string& program);
  std::optional<std::string> File(const std::string& path) const;
  bool HasDir(const std::string& path) const;
  // The mode a file or directory was last given.
  mode_t ModeOf(const std::string& path) const;

  // Records "run ARGV"; answers with the handler for argv[0] (OnRun).
  absl::StatusOr<ProgramOutput> Run(const std::vector<std::string>& argv,
                                    const RunOptions& options) override;
  // Records "start ARGV"; fails as FailStart says, else gives a new pid,
  // writes "PID 1" to the pid file and counts the process as running.
  absl::StatusOr<pid_t> StartProcess(const ProcessLaunch& launch) override;
  // The pid of the pid file while EndProcess or StopProcess has not ended
  // it; 0 otherwise.
  absl::StatusOr<pid_t> FindProcess(const std::string& pid_file) override;
  ProcessStatus ProcessStatusOf(const std::string& pid_file) override;
  // Records "stop PID_FILE"; the process ends as if by SIGTERM and its pid
  // file goes.
  absl::Status StopProcess(const std::string& pid_file,
                           absl::Duration grace) override;
  // Records "write PATH"; fails as FailWrite says or when the directory
  // is missing.
  absl::Status WriteFileAtomically(const std::string& path,
                                   absl::string_view contents,
                                   mode_t mode) override;
  // Records "mkdirs PATH".
  absl::Status MakeDirs(const std::string& path, mode_t mode) override;
  // Reads are not recorded.
  absl::StatusOr<std::string> ReadFile(const std::string& path,
                                       size_t max_bytes) override;
  std::string ReadFileTail(const std::string& path, size_t max_bytes) override;
  bool FileExists(const std::string& path) override;
  // Whether AddExecutable named it.
  bool IsExecutable(const std::string& program) override;
  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& path) override;
  // There are no links: NOT_FOUND.
  absl::StatusOr<std::string> ReadLink(const std::string& path) override;
  // Record "remove PATH" and "rmtree PATH".
  absl::Status RemoveFile(const std::string& path) override;
  absl::Status RemoveTree(const std::string& path) override;

 private:
  void Record(std::string call) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  SteppingClock clock_;
  mutable absl::Mutex mu_;
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, RunHandler> handlers_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Status> start_failures_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Status> write_failures_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> files_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> dirs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, mode_t> modes_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> executables_ ABSL_GUARDED_BY(mu_);
  // Processes by pid: running ones and how the others ended.
  std::set<pid_t> running_ ABSL_GUARDED_BY(mu_);
  std::map<pid_t, ProcessStatus> ended_ ABSL_GUARDED_BY(mu_);
  pid_t next_pid_ ABSL_GUARDED_BY(mu_) = 1000;
};

}  // namespace scalebench::os

#endif  // SCALEBENCH_OS_RECORDING_ENV_H_
