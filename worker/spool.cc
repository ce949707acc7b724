#include "worker/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace scalebench::worker {
namespace {

constexpr char kSuffix[] = ".result";
// Results are the worker's alone.
constexpr mode_t kDirMode = 0700;
constexpr mode_t kFileMode = 0600;

absl::Status Errno(absl::string_view what, absl::string_view path) {
  return absl::InternalError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status SyncPath(const std::string& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  const int rc = fsync(fd);
  close(fd);
  return rc == 0 ? absl::OkStatus() : Errno("fsync", path);
}

// Names are "<order>_<name>" with <order> a zero-padded number, so that
// listing in name order is store order, across restarts and whatever the
// clock does: each new result takes one more than the highest order in the
// directory. (Older spools named files by the wall clock's nanoseconds;
// the next number continues after those.)
constexpr int kOrderDigits = 19;

// The order of a spool file's name; 0 for other names.
uint64_t OrderOf(absl::string_view entry) {
  uint64_t order = 0;
  const size_t underscore = entry.find('_');
  if (underscore == absl::string_view::npos ||
      !absl::SimpleAtoi(entry.substr(0, underscore), &order)) {
    return 0;
  }
  return order;
}

std::string OrderPrefix(uint64_t order) {
  return absl::StrFormat("%0*d", kOrderDigits, order);
}

}  // namespace

absl::StatusOr<Spool> Spool::Open(std::string dir, os::Env* env) {
  if (absl::Status s = env->MakeDirs(dir, kDirMode); !s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the spool ", dir, ": ", s.message()));
  }
  return Spool(std::move(dir), env);
}

std::string Spool::PathFor(const v1::AttemptKey& key,
                           const std::string& worker_id) const {
  // "experiments/e/trials/3" attempt 2 of host-a: e_trials_3_a2_host-a.
  const std::string trial =
      absl::StrReplaceAll(key.trial(), {{"experiments/", ""}, {"/", "_"}});
  return absl::StrCat(trial, "_a", key.attempt(), "_", worker_id, kSuffix);
}

absl::Status Spool::Store(const v1::WorkerResult& result) {
  const std::string name = PathFor(result.key(), result.worker_id());
  // Replace an earlier copy of the same result, keeping its place.
  std::string existing;
  uint64_t last = 0;
  if (DIR* d = opendir(dir_.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string entry = e->d_name;
      if (entry[0] == '.' || !absl::EndsWith(entry, kSuffix)) continue;
      last = std::max(last, OrderOf(entry));
      if (absl::EndsWith(entry, "_" + name)) existing = entry;
    }
    closedir(d);
  }
  const std::string final_name =
      existing.empty() ? absl::StrCat(OrderPrefix(last + 1), "_", name)
                       : existing;
  std::string bytes;
  if (!result.SerializeToString(&bytes)) {
    return absl::InternalError(absl::StrCat("cannot serialize ", name));
  }
  // Written, fsync'ed, renamed into place, the directory fsync'ed.
  return env_->WriteFileAtomically(absl::StrCat(dir_, "/", final_name), bytes,
                                   kFileMode);
}

absl::StatusOr<std::vector<v1::WorkerResult>> Spool::List() const {
  std::vector<std::string> names;
  DIR* d = opendir(dir_.c_str());
  if (d == nullptr) return Errno("opendir", dir_);
  while (dirent* e = readdir(d)) {
    const std::string entry = e->d_name;
    if (entry[0] != '.' && absl::EndsWith(entry, kSuffix)) {
      names.push_back(entry);
    }
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  std::vector<v1::WorkerResult> results;
  for (const std::string& name : names) {
    std::ifstream in(absl::StrCat(dir_, "/", name), std::ios::binary);
    v1::WorkerResult result;
    if (!in || !result.ParseFromIstream(&in)) {
      std::cerr << "scalebench-worker: spool: skipping unreadable " << dir_
                << "/" << name << "\n";
      continue;
    }
    results.push_back(std::move(result));
  }
  return results;
}

absl::Status Spool::Remove(const v1::AttemptKey& key,
                           const std::string& worker_id) {
  const std::string name = PathFor(key, worker_id);
  DIR* d = opendir(dir_.c_str());
  if (d == nullptr) return Errno("opendir", dir_);
  std::vector<std::string> matches;
  while (dirent* e = readdir(d)) {
    const std::string entry = e->d_name;
    if (entry[0] != '.' && absl::EndsWith(entry, "_" + name)) {
      matches.push_back(entry);
    }
  }
  closedir(d);
  for (const std::string& entry : matches) {
    const std::string path = absl::StrCat(dir_, "/", entry);
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Errno("unlink", path);
    }
  }
  return matches.empty() ? absl::OkStatus()
                         : SyncPath(dir_, O_RDONLY | O_DIRECTORY);
}

}  // namespace scalebench::worker
