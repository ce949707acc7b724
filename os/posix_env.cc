// PosixEnv's files and directories, and Env::Default().
#include "os/posix_env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/text_file.h"

namespace scalebench::os {
namespace {

absl::Status Errno(absl::string_view what, absl::string_view path) {
  return absl::InternalError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// Writes all of `data` to `fd`; false with errno on failure.
bool WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// The directory part of `path` ("." for a bare name).
std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Env* Env::Default() {
  static PosixEnv* const env = new PosixEnv(Clock::Real());
  return env;
}

absl::Status PosixEnv::WriteFileAtomically(const std::string& path,
                                           absl::string_view contents,
                                           mode_t mode) {
  const std::string temp = absl::StrCat(path, ".tmp");
  const int fd =
      open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Errno("cannot write", temp);
  // The mode whatever the umask: nginx's workers read pages as nobody.
  const bool ok =
      fchmod(fd, mode) == 0 && WriteAll(fd, contents) && fsync(fd) == 0;
  const int saved = errno;
  if (close(fd) != 0 || !ok) {
    errno = ok ? errno : saved;
    absl::Status status = Errno("cannot write", temp);
    unlink(temp.c_str());
    return status;
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    absl::Status status = Errno("cannot rename into", path);
    unlink(temp.c_str());
    return status;
  }
  // The rename itself survives a crash once the directory is synced.
  const int dir =
      open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return absl::OkStatus();
}

absl::Status PosixEnv::MakeDirs(const std::string& path, mode_t mode) {
  std::string prefix = path[0] == '/' ? "" : ".";
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    absl::StrAppend(&prefix, "/", part);
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return Errno("cannot create", prefix);
    }
  }
  if (chmod(path.c_str(), mode) != 0) return Errno("cannot chmod", path);
  return absl::OkStatus();
}

absl::StatusOr<std::string> PosixEnv::ReadFile(const std::string& path,
                                               size_t max_bytes) {
  return ReadRegularFile(path, max_bytes);
}

std::string PosixEnv::ReadFileTail(const std::string& path, size_t max_bytes) {
  if (path.empty()) return "";
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return "";
  struct stat st;
  std::string text;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    const off_t size = st.st_size;
    const off_t from =
        size > static_cast<off_t>(max_bytes) ? size - max_bytes : 0;
    text.resize(static_cast<size_t>(size - from));
    const ssize_t n = pread(fd, text.data(), text.size(), from);
    text.resize(n > 0 ? static_cast<size_t>(n) : 0);
    if (from > 0) text = "..." + text;
  }
  close(fd);
  return std::string(absl::StripTrailingAsciiWhitespace(text));
}

bool PosixEnv::FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool PosixEnv::IsExecutable(const std::string& program) {
  if (program.empty()) return false;
  auto runnable = [](const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           access(path.c_str(), X_OK) == 0;
  };
  if (absl::StrContains(program, '/')) return runnable(program);
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    if (runnable(absl::StrCat(dir, "/", program))) return true;
  }
  return false;
}

absl::StatusOr<std::vector<std::string>> PosixEnv::ListDir(
    const std::string& path) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat(path, ": no such directory"));
    }
    return Errno("cannot list", path);
  }
  std::vector<std::string> names;
  while (dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<std::string> PosixEnv::ReadLink(const std::string& path) {
  char target[4096];
  const ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
  if (n < 0) return absl::NotFoundError(absl::StrCat(path, ": not a link"));
  return std::string(target, static_cast<size_t>(n));
}

absl::Status PosixEnv::RemoveFile(const std::string& path) {
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Errno("cannot remove", path);
  }
  return absl::OkStatus();
}

absl::Status PosixEnv::RemoveTree(const std::string& path) {
  std::error_code error;
  std::filesystem::remove_all(path, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot remove ", path, ": ", error.message()));
  }
  return absl::OkStatus();
}

}  // namespace scalebench::os
