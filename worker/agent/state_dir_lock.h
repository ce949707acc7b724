// Holds a worker's state dir for as long as it lives, so that one worker
// (daemon or run-trial) at a time uses it: a second one would otherwise
// "recover" the first one's live targets. An exclusive flock(2) on
// STATE/lock, a file that holds the holder's pid for the message of whoever
// is refused. The kernel drops the lock when the holder's descriptor
// closes, also when it crashes, so a stale file never blocks. Movable,
// non-copyable; thread-compatible.
#ifndef SCALEBENCH_WORKER_AGENT_STATE_DIR_LOCK_H_
#define SCALEBENCH_WORKER_AGENT_STATE_DIR_LOCK_H_

#include <string>

#include "absl/status/statusor.h"

namespace scalebench::worker {

// The lock file's name in the state dir.
inline constexpr char kStateDirLockFile[] = "lock";

class StateDirLock final {
 public:
  // Takes the lock of `state_dir`, creating the dir when missing, and
  // writes this process's pid into the lock file. Touches nothing else.
  // FAILED_PRECONDITION naming the holder's pid when another worker (or
  // another descriptor of this process) holds it; INVALID_ARGUMENT naming
  // the path when the dir or file cannot be made or opened.
  static absl::StatusOr<StateDirLock> Acquire(const std::string& state_dir);

  StateDirLock(StateDirLock&& other) noexcept;
  StateDirLock& operator=(StateDirLock&& other) noexcept;
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;
  // Releases the lock (the file stays).
  ~StateDirLock();

 private:
  explicit StateDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_STATE_DIR_LOCK_H_
