#include "worker/agent/state_dir_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace scalebench::worker {
namespace {

// The pid in the lock file at `fd`, as text; empty when it holds none
// yet (the holder writes it just after taking the lock).
std::string HolderPid(int fd) {
  char buffer[32] = {};
  const ssize_t n = pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (n <= 0) return "";
  const absl::string_view text = absl::StripAsciiWhitespace(
      absl::string_view(buffer, static_cast<size_t>(n)));
  int pid = 0;
  return absl::SimpleAtoi(text, &pid) && pid > 0 ? absl::StrCat(pid) : "";
}

}  // namespace

absl::StatusOr<StateDirLock> StateDirLock::Acquire(
    const std::string& state_dir) {
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot create the state dir ", state_dir, ": ", error.message()));
  }
  const std::string path = absl::StrCat(state_dir, "/", kStateDirLockFile);
  // No O_TRUNC: the holder's pid must survive a refused open.
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot open the state dir's lock ", path, ": ", strerror(errno)));
  }
  StateDirLock lock(fd);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot lock ", path, ": ", strerror(errno)));
    }
    const std::string pid = HolderPid(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("the state dir ", state_dir, " is held by another worker",
                     pid.empty() ? "" : absl::StrCat(", pid ", pid), " (", path,
                     "); stop it, or give this one a --state-dir of its own"));
  }
  const std::string text = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) !=
                                   static_cast<ssize_t>(text.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write ", path, ": ", strerror(errno)));
  }
  return lock;
}

StateDirLock::StateDirLock(StateDirLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {}

StateDirLock& StateDirLock::operator=(StateDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

StateDirLock::~StateDirLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace scalebench::worker
