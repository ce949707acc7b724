#include "coordinator/store/store_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace scalebench::coordinator {
namespace {

constexpr mode_t kPrivateFile = 0600;
constexpr mode_t kPrivateDirectory = 0700;

std::string ErrnoText() { return std::strerror(errno); }

// The pid the holder wrote into the lock file, or "unknown".
std::string HolderPid(int fd) {
  char buffer[32] = {};
  const ssize_t n = pread(fd, buffer, sizeof(buffer) - 1, 0);
  int pid = 0;
  if (n > 0 &&
      absl::SimpleAtoi(absl::StripAsciiWhitespace(
                           absl::string_view(buffer, static_cast<size_t>(n))),
                       &pid) &&
      pid > 0) {
    return absl::StrCat(pid);
  }
  return "unknown";
}

}  // namespace

absl::StatusOr<std::unique_ptr<StoreFileLock>> StoreFileLock::Acquire(
    const std::string& db_path) {
  const std::string path = absl::StrCat(db_path, ".lock");
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kPrivateFile);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the lock file ", path, ": ", ErrnoText()));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    if (error == EWOULDBLOCK) {
      const std::string pid = HolderPid(fd);
      close(fd);
      return absl::UnavailableError(
          absl::StrCat("another coordinator (pid ", pid, ") holds ", db_path,
                       " (its lock file is ", path, ")"));
    }
    close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot lock ", path, ": ", std::strerror(error)));
  }
  // Who holds it, for the message a second coordinator gives.
  const std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) !=
                                   static_cast<ssize_t>(pid.size())) {
    const std::string error = ErrnoText();
    close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write the lock file ", path, ": ", error));
  }
  return std::unique_ptr<StoreFileLock>(new StoreFileLock(fd));
}

StoreFileLock::~StoreFileLock() { close(fd_); }

absl::Status MakeStoreFilesPrivate(const std::string& db_path) {
  // Created here rather than by SQLite, so that it is never readable by
  // others, not even for an instant.
  const int fd =
      open(db_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kPrivateFile);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open the store ", db_path, ": ", ErrnoText()));
  }
  close(fd);
  for (const std::string& path : {db_path, absl::StrCat(db_path, "-wal"),
                                  absl::StrCat(db_path, "-shm")}) {
    struct stat info;
    if (stat(path.c_str(), &info) != 0) {
      if (errno == ENOENT) continue;
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read the mode of ", path, ": ", ErrnoText()));
    }
    if ((info.st_mode & 077) == 0) continue;
    if (chmod(path.c_str(), info.st_mode & 0700) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot make ", path, " readable by its owner only: ", ErrnoText()));
    }
  }
  return absl::OkStatus();
}

absl::Status CreatePrivateDirectories(const std::string& dir) {
  std::filesystem::path partial;
  for (const std::filesystem::path& part : std::filesystem::path(dir)) {
    partial /= part;
    if (part.empty() || part == "/") continue;
    if (mkdir(partial.c_str(), kPrivateDirectory) == 0 || errno == EEXIST) {
      continue;
    }
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", partial.string(), ": ", ErrnoText()));
  }
  return absl::OkStatus();
}

}  // namespace scalebench::coordinator
