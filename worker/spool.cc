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
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace scalebench::worker {
namespace {

constexpr char kSuffix[] = ".result";

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

// A monotonically increasing prefix so that listing in name order is store
// order, across restarts: nanoseconds of the wall clock at store time.
// Used only for ordering; a clock step merely reorders the backlog.
std::string OrderPrefix() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  char buffer[32];
  snprintf(buffer, sizeof(buffer), "%010lld%09ld",
           static_cast<long long>(ts.tv_sec), ts.tv_nsec);
  return buffer;
}

}  // namespace

absl::StatusOr<Spool> Spool::Open(std::string dir) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create the spool ", dir, ": ", std::strerror(errno)));
  }
  return Spool(std::move(dir));
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
  if (DIR* d = opendir(dir_.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string entry = e->d_name;
      if (absl::EndsWith(entry, name) && entry.size() > name.size()) {
        existing = entry;
      }
    }
    closedir(d);
  }
  const std::string final_name =
      existing.empty() ? absl::StrCat(OrderPrefix(), "_", name) : existing;
  const std::string path = absl::StrCat(dir_, "/", final_name);
  const std::string tmp = absl::StrCat(dir_, "/.", final_name, ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !result.SerializeToOstream(&out)) return Errno("write", tmp);
  }
  if (absl::Status s = SyncPath(tmp, O_RDONLY); !s.ok()) return s;
  if (rename(tmp.c_str(), path.c_str()) != 0) return Errno("rename", tmp);
  return SyncPath(dir_, O_RDONLY | O_DIRECTORY);
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
