// The store's file on disk beyond what SQLite does with it: the lock that
// keeps a second coordinator off a store in use, and the modes that keep
// it private (the store holds spec headers such as Authorization and
// webhook URLs, which are secrets: its folder is made 0700 and its files
// 0600). Thread-compatible; the lock is per process and file.
#ifndef SCALEBENCH_COORDINATOR_STORE_STORE_FILE_H_
#define SCALEBENCH_COORDINATOR_STORE_STORE_FILE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace scalebench::coordinator {

// An exclusive lock (flock) on "DB.lock" beside the store file DB, with
// the holder's pid written in it, held until destroyed. Non-copyable.
class StoreFileLock final {
 public:
  // Takes the lock without waiting. Errors: UNAVAILABLE "another
  // coordinator (pid N) holds DB" when another open store holds it (in
  // this process or another); FAILED_PRECONDITION naming the lock file
  // when it cannot be created or locked.
  static absl::StatusOr<std::unique_ptr<StoreFileLock>> Acquire(
      const std::string& db_path);

  StoreFileLock(const StoreFileLock&) = delete;
  StoreFileLock& operator=(const StoreFileLock&) = delete;
  // Releases the lock (the file stays; a later Acquire reuses it).
  ~StoreFileLock();

 private:
  explicit StoreFileLock(int fd) : fd_(fd) {}
  const int fd_;
};

// Creates the store file DB with mode 0600 when it is missing, and takes
// group and other permissions away from DB and its "-wal" and "-shm"
// files when they have them (SQLite creates those two with the mode of
// DB). FAILED_PRECONDITION naming the file when that fails.
absl::Status MakeStoreFilesPrivate(const std::string& db_path);

// Creates `dir` and any missing parent, each one it creates with mode
// 0700; folders that exist are left as they are. FAILED_PRECONDITION
// naming the folder when one cannot be created.
absl::Status CreatePrivateDirectories(const std::string& dir);

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_STORE_FILE_H_
