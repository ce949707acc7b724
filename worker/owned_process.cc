#include "worker/owned_process.h"

#include <unistd.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "worker/nginx_conf.h"
#include "worker/runtime_dir.h"

namespace scalebench::worker {
namespace {

constexpr char kKindFile[] = "kind";
constexpr char kPidSuffix[] = ".pid";
// A kind file holds one word.
constexpr size_t kMaxKindBytes = 256;
// Directories and files processes that drop to another user (nginx's
// workers run as nobody under a root worker) must reach.
constexpr mode_t kSharedDirMode = 0755;
constexpr mode_t kSharedFileMode = 0644;

}  // namespace

OwnedProcesses::OwnedProcesses(const WorkerContext& context,
                               OwnedProcessKind kind, absl::Duration stop_grace)
    : Instances(context),
      env_(*context.env),
      kind_(std::move(kind)),
      stop_grace_(stop_grace) {}

bool OwnedProcesses::MatchesPattern(const std::string& id) const {
  absl::string_view rest = id;
  if (context().owner.empty() || !absl::ConsumePrefix(&rest, context().owner) ||
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
                   "\" is not of the form \"", context().owner, kind_.id_infix,
                   kind_.digits_required ? "N" : "[N]", "\""));
}

std::string OwnedProcesses::PidFile(const std::string& id) const {
  return absl::StrCat(context().runtime(), "/run/", id, kPidSuffix);
}

std::string OwnedProcesses::Prefix(const std::string& id) const {
  return absl::StrCat(context().runtime(), "/", kind_.area, "/", id);
}

bool OwnedProcesses::IsOurs(const std::string& id) const {
  if (!MatchesPattern(id)) return false;
  absl::StatusOr<std::string> kind =
      env_.ReadFile(absl::StrCat(Prefix(id), "/", kKindFile), kMaxKindBytes);
  return kind.ok() && absl::StripAsciiWhitespace(*kind) == kind_.kind;
}

absl::Status OwnedProcesses::CreatePrefix(const std::string& id) {
  if (absl::Status s = ValidateId(id); !s.ok()) return s;
  absl::StatusOr<pid_t> running = env_.FindProcess(PidFile(id));
  if (!running.ok()) return running.status();
  if (*running != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        id, " is already running (pid ", *running, "); stop it first"));
  }
  const std::string prefix = Prefix(id);
  if (absl::Status s = env_.RemoveTree(prefix); !s.ok()) return s;
  // nginx workers run as nobody when the worker is root: every directory
  // from the state dir down must be searchable by others.
  for (const std::string& dir :
       {context().runtime(), absl::StrCat(context().runtime(), "/", kind_.area),
        prefix, absl::StrCat(context().runtime(), "/run")}) {
    if (absl::Status s = env_.MakeDirs(dir, kSharedDirMode); !s.ok()) return s;
  }
  return env_.WriteFileAtomically(absl::StrCat(prefix, "/", kKindFile),
                                  absl::StrCat(kind_.kind, "\n"),
                                  kSharedFileMode);
}

absl::Status OwnedProcesses::CheckReachable() const {
  return CheckTargetsCanReach(context().runtime());
}

absl::StatusOr<pid_t> OwnedProcesses::Start(const std::string& id,
                                            os::ProcessLaunch launch) {
  if (absl::Status s = ValidateId(id); !s.ok()) return s;
  launch.pid_file = PidFile(id);
  return env_.StartProcess(launch);
}

absl::StatusOr<pid_t> OwnedProcesses::StartPlanned(const PlannedStart& start) {
  if (absl::Status s = CreatePrefix(start.id); !s.ok()) return s;
  // From here on a failure removes the prefix again.
  auto fail = [&](absl::Status status) {
    (void)Stop(start.id);
    return status;
  };
  if (absl::Status s = CheckCanListen(start.listen); !s.ok()) return fail(s);
  const std::string prefix = Prefix(start.id);
  if (start.read_by_workers && geteuid() == 0) {
    if (absl::Status s = CheckSearchableByOthers(prefix); !s.ok()) {
      return fail(s);
    }
  }
  for (const std::string& dir : start.subdirs) {
    if (absl::Status s =
            env_.MakeDirs(absl::StrCat(prefix, "/", dir), kSharedDirMode);
        !s.ok()) {
      return fail(s);
    }
  }
  for (const LaunchPlan::File& file : start.files) {
    if (absl::Status s =
            env_.WriteFileAtomically(file.path, file.contents, kSharedFileMode);
        !s.ok()) {
      return fail(s);
    }
  }
  os::ProcessLaunch process;
  process.argv = start.argv;
  process.cpus = start.cpus;
  process.log_path = start.log_path;
  absl::StatusOr<pid_t> pid = Start(start.id, std::move(process));
  if (!pid.ok()) {
    return fail(
        absl::Status(pid.status().code(),
                     absl::StrCat(start.what, ": ", pid.status().message())));
  }
  return pid;
}

absl::Status OwnedProcesses::Stop(const std::string& id) {
  if (absl::Status s = ValidateId(id); !s.ok()) return s;
  if (absl::Status s = env_.StopProcess(PidFile(id), stop_grace_); !s.ok()) {
    return s;
  }
  return env_.RemoveTree(Prefix(id));
}

std::optional<os::ProcessStatus> OwnedProcesses::StatusOf(
    const std::string& id) const {
  os::ProcessStatus status = env_.ProcessStatusOf(PidFile(id));
  if (status.state == os::ProcessStatus::State::kRunning) return std::nullopt;
  return status;
}

absl::StatusOr<std::optional<Termination>> OwnedProcesses::Terminated(
    const std::string& id) {
  if (absl::Status s = ValidateId(id); !s.ok()) return s;
  std::optional<os::ProcessStatus> status = StatusOf(id);
  if (!status.has_value()) return std::nullopt;
  return TerminationOf(*status);
}

std::vector<std::string> OwnedProcesses::OursIn(
    const std::string& dir, const std::string& suffix) const {
  std::vector<std::string> ids;
  absl::StatusOr<std::vector<std::string>> names = env_.ListDir(dir);
  if (!names.ok()) return ids;  // Not made yet: nothing started.
  for (absl::string_view name : *names) {
    if (!absl::ConsumeSuffix(&name, suffix)) continue;
    std::string id(name);
    if (IsOurs(id)) ids.push_back(std::move(id));
  }
  return ids;
}

absl::StatusOr<std::vector<std::string>> OwnedProcesses::List() {
  std::vector<std::string> ids;
  for (const std::string& id :
       OursIn(absl::StrCat(context().runtime(), "/run"), kPidSuffix)) {
    absl::StatusOr<pid_t> pid = env_.FindProcess(PidFile(id));
    if (!pid.ok()) return pid.status();
    if (*pid != 0) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::Status OwnedProcesses::Recover() {
  // Names are collected before anything is removed. Prefixes of ours
  // without a pid file are stale; Stop() checks the pid file anyway, so a
  // process that appeared since is stopped too.
  std::vector<std::string> ids =
      OursIn(absl::StrCat(context().runtime(), "/run"), kPidSuffix);
  for (std::string& id :
       OursIn(absl::StrCat(context().runtime(), "/", kind_.area), "")) {
    ids.push_back(std::move(id));
  }
  // Each once: a running process has both a pid file and a prefix.
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (const std::string& id : ids) {
    if (absl::Status s = Stop(id); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace scalebench::worker
