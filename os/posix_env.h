// The real Env: POSIX calls, timed by a Clock. Env::Default() is one over
// Clock::Real(); a test may make one over another clock. Thread-safe.
#ifndef SCALEBENCH_OS_POSIX_ENV_H_
#define SCALEBENCH_OS_POSIX_ENV_H_

#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "os/env.h"

namespace scalebench::os {

class PosixEnv final : public Env {
 public:
  // `clock` times waits and deadlines; must outlive the Env.
  explicit PosixEnv(Clock* clock) : clock_(clock) {}
  PosixEnv(const PosixEnv&) = delete;
  PosixEnv& operator=(const PosixEnv&) = delete;

  absl::StatusOr<ProgramOutput> Run(const std::vector<std::string>& argv,
                                    const RunOptions& options) override;
  absl::StatusOr<pid_t> StartProcess(const ProcessLaunch& launch) override;
  absl::StatusOr<pid_t> FindProcess(const std::string& pid_file) override;
  ProcessStatus ProcessStatusOf(const std::string& pid_file) override;
  absl::Status StopProcess(const std::string& pid_file,
                           absl::Duration grace) override;
  absl::Status WriteFileAtomically(const std::string& path,
                                   absl::string_view contents,
                                   mode_t mode) override;
  absl::Status MakeDirs(const std::string& path, mode_t mode) override;
  absl::StatusOr<std::string> ReadFile(const std::string& path,
                                       size_t max_bytes) override;
  std::string ReadFileTail(const std::string& path, size_t max_bytes) override;
  bool FileExists(const std::string& path) override;
  bool IsExecutable(const std::string& program) override;
  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& path) override;
  absl::StatusOr<std::string> ReadLink(const std::string& path) override;
  absl::Status RemoveFile(const std::string& path) override;
  absl::Status RemoveTree(const std::string& path) override;

 private:
  // Reaps `pid` if it is our child and has ended, keeping its wait status
  // for ProcessStatusOf.
  void Reap(pid_t pid);
  bool Alive(pid_t pid, uint64_t start);

  Clock* const clock_;
  absl::Mutex mu_;
  // Wait statuses of children reaped, by pid.
  std::map<pid_t, int> ended_ ABSL_GUARDED_BY(mu_);
};

}  // namespace scalebench::os

#endif  // SCALEBENCH_OS_POSIX_ENV_H_
