#include "worker/runtime_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/stable_hash.h"
#include "worker/nginx_conf.h"

namespace scalebench::worker {
namespace {

namespace fs = std::filesystem;

constexpr char kStateDirFile[] = "state-dir";
// The folders a worker makes in its runtime dir (worker_context.h).
constexpr const char* kAreas[] = {"run", "targets", "balancers"};

// Makes `dir` with `mode` unless it exists; then it must be a directory
// owned by us, not a link, and gets `mode`.
absl::Status MakeOwnedDir(const std::string& dir, mode_t mode) {
  if (mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", dir, ": ", std::strerror(errno)));
  }
  struct stat info;
  if (lstat(dir.c_str(), &info) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", dir, ": ", std::strerror(errno)));
  }
  if (!S_ISDIR(info.st_mode) || info.st_uid != geteuid()) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " is not a directory of this user (uid ", geteuid(),
                     "); remove it or give --runtime-dir"));
  }
  if (chmod(dir.c_str(), mode) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot chmod ", dir, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

RuntimeDirOptions::RuntimeDirOptions()
    : targets_run_as_other_user(geteuid() == 0) {}

absl::Status CheckTargetsCanReach(const std::string& runtime_dir,
                                  const RuntimeDirOptions& options) {
  if (!options.targets_run_as_other_user) return absl::OkStatus();
  // The dir itself and what the worker makes in it are made searchable
  // as they are created (OwnedProcesses::CreatePrefix); its ancestors are
  // not the worker's to change.
  return CheckSearchableByOthers(
      fs::path(runtime_dir).lexically_normal().parent_path().string());
}

absl::StatusOr<std::string> ResolveRuntimeDir(
    const std::string& state_dir, const std::string& worker_name,
    const std::string& forced, const RuntimeDirOptions& options) {
  if (!forced.empty()) {
    const std::string dir = fs::absolute(forced).lexically_normal().string();
    std::error_code error;
    fs::create_directories(dir, error);
    if (error) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--runtime-dir: cannot create ", dir, ": ", error.message()));
    }
    return dir;
  }
  if (CheckTargetsCanReach(state_dir, options).ok()) return state_dir;
  if (absl::Status s = MakeOwnedDir(options.base, 0711); !s.ok()) return s;
  const std::string dir =
      absl::StrFormat("%s/%s-%012x", options.base, worker_name,
                      Fnv1a64(state_dir) & 0xffffffffffffULL);
  if (absl::Status s = MakeOwnedDir(dir, 0755); !s.ok()) return s;
  // For an operator wondering whose directory this is.
  const std::string note = absl::StrCat(dir, "/", kStateDirFile);
  std::ofstream out(note, std::ios::trunc);
  out << state_dir << "\n";
  if (!out.flush()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot write ", note));
  }
  return dir;
}

void ReleaseRuntimeDir(const std::string& runtime_dir,
                       const std::string& state_dir,
                       const RuntimeDirOptions& options) {
  if (runtime_dir.empty() || runtime_dir == state_dir) return;
  // rmdir removes only empty folders: a target still running keeps its.
  for (const char* area : kAreas) {
    (void)rmdir(absl::StrCat(runtime_dir, "/", area).c_str());
  }
  // A --runtime-dir given by the operator stays; one we made goes.
  if (fs::path(runtime_dir).parent_path() != fs::path(options.base)) return;
  std::error_code error;
  for (const fs::directory_entry& entry :
       fs::directory_iterator(runtime_dir, error)) {
    if (entry.path().filename() != kStateDirFile) return;  // Keep it all.
  }
  if (error) return;  // Gone already.
  (void)unlink(absl::StrCat(runtime_dir, "/", kStateDirFile).c_str());
  (void)rmdir(runtime_dir.c_str());
  (void)rmdir(options.base.c_str());  // Only when no other worker uses it.
}

}  // namespace scalebench::worker
