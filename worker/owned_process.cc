#include "worker/owned_process.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "worker/runtime_dir.h"

namespace scalebench::worker {
namespace {

namespace fs = std::filesystem;

constexpr char kKindFile[] = "kind";
constexpr char kPidSuffix[] = ".pid";

absl::Status MakeDirs(const std::string& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create ", path, ": ", error.message()));
  }
  return absl::OkStatus();
}

absl::Status RemoveTree(const std::string& path) {
  std::error_code error;
  fs::remove_all(path, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot remove ", path, ": ", error.message()));
  }
  return absl::OkStatus();
}

// The id of a pid file's name ("ID.pid"); "" for other files.
std::string IdOfPidFile(const fs::path& path) {
  const std::string file = path.filename().string();
  absl::string_view name = file;
  if (!absl::ConsumeSuffix(&name, kPidSuffix)) return "";
  return std::string(name);
}

}  // namespace

OwnedProcesses::OwnedProcesses(const WorkerContext& context,
                               OwnedProcessKind kind, absl::Duration stop_grace)
    : context_(context), kind_(std::move(kind)), stop_grace_(stop_grace) {}

bool OwnedProcesses::MatchesPattern(const std::string& id) const {
  absl::string_view rest = id;
  if (context_.owner.empty() || !absl::ConsumePrefix(&rest, context_.owner) ||
      !absl::ConsumePrefix(&rest, kind_.id_infix)) {
    return false;
  }
  if (kind_.digits_required && rest.empty()) return false;
  return rest.size() <= 9 && std::all_of(rest.begin(), rest.end(), [](char c) {
           return absl::ascii_isdigit(c);
         });
}

absl::Status OwnedProcesses::ValidateId(const std::string& id) const {
  if (MatchesPattern(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("id \"", absl::CEscape(id.substr(0, 200)),
                   "\" is not of the form \"", context_.owner, kind_.id_infix,
                   kind_.digits_required ? "N" : "[N]", "\""));
}

std::string OwnedProcesses::PidFile(const std::string& id) const {
  return absl::StrCat(context_.runtime(), "/run/", id, kPidSuffix);
}

std::string OwnedProcesses::Prefix(const std::string& id) const {
  return absl::StrCat(context_.runtime(), "/", kind_.area, "/", id);
}

bool OwnedProcesses::IsOurs(const std::string& id) const {
  if (!MatchesPattern(id)) return false;
  std::ifstream in(absl::StrCat(Prefix(id), "/", kKindFile));
  std::string kind;
  std::getline(in, kind);
  return absl::StripAsciiWhitespace(kind) == kind_.kind;
}

absl::Status OwnedProcesses::CreatePrefix(const std::string& id) {
  if (absl::Status s = ValidateId(id); !s.ok()) return s;
  absl::StatusOr<pid_t> running = FindProcess(PidFile(id));
  if (!running.ok()) return running.status();
  if (*running != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        id, " is already running (pid ", *running, "); stop it first"));
  }
  const std::string prefix = Prefix(id);
  if (absl::Status s = RemoveTree(prefix); !s.ok()) return s;
  if (absl::Status s = MakeDirs(prefix); !s.ok()) return s;
  if (absl::Status s = MakeDirs(absl::StrCat(context_.runtime(), "/run"));
      !s.ok()) {
    return s;
  }
  // nginx workers run as nobody when the worker is root: every directory
  // from the state dir down must be searchable by others.
  for (const std::string& dir :
       {context_.runtime(), absl::StrCat(context_.runtime(), "/", kind_.area),
        prefix}) {
    chmod(dir.c_str(), 0755);
  }
  std::ofstream out(absl::StrCat(prefix, "/", kKindFile), std::ios::trunc);
  out << kind_.kind << "\n";
  if (!out) {
    return absl::InternalError(absl::StrCat("cannot write ", prefix, "/kind"));
  }
  return absl::OkStatus();
}

absl::Status OwnedProcesses::CheckReachable() const {
  return CheckTargetsCanReach(context_.runtime());
}

absl::StatusOr<pid_t> OwnedProcesses::Start(const std::string& id,
                                            ProcessLaunch launch) {
  if (absl::Status s = ValidateId(id); !s.ok()) return s;
  launch.pid_file = PidFile(id);
  return StartProcess(launch);
}

absl::Status OwnedProcesses::Stop(const std::string& id) {
  if (absl::Status s = ValidateId(id); !s.ok()) return s;
  if (absl::Status s = StopProcess(PidFile(id), *context_.clock, stop_grace_);
      !s.ok()) {
    return s;
  }
  return RemoveTree(Prefix(id));
}

absl::StatusOr<std::vector<std::string>> OwnedProcesses::List() const {
  std::vector<std::string> ids;
  std::error_code error;
  fs::directory_iterator it(absl::StrCat(context_.runtime(), "/run"), error);
  if (error) return ids;  // No run dir: nothing started yet.
  for (const fs::directory_entry& entry : it) {
    const std::string name = IdOfPidFile(entry.path());
    if (!IsOurs(name)) continue;
    absl::StatusOr<pid_t> pid = FindProcess(entry.path().string());
    if (!pid.ok()) return pid.status();
    if (*pid != 0) ids.push_back(name);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::Status OwnedProcesses::Recover() {
  // Names are collected before anything is removed: a directory changed
  // while it is iterated may skip or repeat entries.
  std::vector<std::string> ids;
  std::error_code error;
  for (fs::directory_iterator it(absl::StrCat(context_.runtime(), "/run"),
                                 error);
       !error && it != fs::directory_iterator(); it.increment(error)) {
    const std::string name = IdOfPidFile(it->path());
    if (IsOurs(name)) ids.push_back(name);
  }
  // Prefixes of ours without a pid file are stale; Stop() checks the pid
  // file anyway, so a process that appeared since is stopped too.
  error.clear();
  for (fs::directory_iterator it(
           absl::StrCat(context_.runtime(), "/", kind_.area), error);
       !error && it != fs::directory_iterator(); it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (IsOurs(name)) ids.push_back(name);
  }
  for (const std::string& id : ids) {
    if (absl::Status s = Stop(id); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace scalebench::worker
