#include "os/recording_env.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace scalebench::os {
namespace {

// The parents of `path` and `path` itself: "/a", "/a/b", ...
std::vector<std::string> Prefixes(const std::string& path) {
  std::vector<std::string> result;
  std::string prefix;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    absl::StrAppend(&prefix, "/", part);
    result.push_back(prefix);
  }
  return result;
}

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

// The pid in a pid file's contents; 0 if none.
pid_t PidIn(const std::string& contents) {
  pid_t pid = 0;
  const std::vector<absl::string_view> parts =
      absl::StrSplit(contents, absl::ByAnyChar(" \n"), absl::SkipEmpty());
  if (parts.empty() || !absl::SimpleAtoi(parts[0], &pid)) return 0;
  return pid;
}

}  // namespace

absl::Duration SteppingClock::Monotonic() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

absl::Time SteppingClock::Wall() const {
  return absl::UnixEpoch() + Monotonic();
}

void SteppingClock::SleepUntil(absl::Duration deadline) {
  absl::MutexLock lock(&mu_);
  if (deadline > now_) now_ = deadline;
}

void RecordingEnv::Record(std::string call) {
  calls_.push_back(std::move(call));
}

std::vector<std::string> RecordingEnv::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

std::vector<std::string> RecordingEnv::CallsStartingWith(
    const std::string& prefix) const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> result;
  for (const std::string& call : calls_) {
    if (absl::StartsWith(call, prefix)) result.push_back(call);
  }
  return result;
}

void RecordingEnv::ClearCalls() {
  absl::MutexLock lock(&mu_);
  calls_.clear();
}

void RecordingEnv::OnRun(const std::string& program, RunHandler handler) {
  absl::MutexLock lock(&mu_);
  handlers_[program] = std::move(handler);
}

void RecordingEnv::FailStart(const std::string& program, absl::Status status) {
  absl::MutexLock lock(&mu_);
  start_failures_[program] = std::move(status);
}

void RecordingEnv::FailWrite(const std::string& path, absl::Status status) {
  absl::MutexLock lock(&mu_);
  write_failures_[path] = std::move(status);
}

void RecordingEnv::EndProcess(const std::string& pid_file,
                              ProcessStatus status) {
  absl::MutexLock lock(&mu_);
  auto file = files_.find(pid_file);
  if (file == files_.end()) return;
  const pid_t pid = PidIn(file->second);
  running_.erase(pid);
  status.pid = pid;
  ended_[pid] = status;
}

pid_t RecordingEnv::PidOf(const std::string& pid_file) const {
  absl::MutexLock lock(&mu_);
  auto file = files_.find(pid_file);
  return file == files_.end() ? 0 : PidIn(file->second);
}

void RecordingEnv::AddFile(const std::string& path,
                           const std::string& contents) {
  absl::MutexLock lock(&mu_);
  for (const std::string& dir : Prefixes(DirName(path))) dirs_.insert(dir);
  files_[path] = contents;
}

void RecordingEnv::AddExecutable(const std::string& program) {
  absl::MutexLock lock(&mu_);
  executables_.insert(program);
}

std::optional<std::string> RecordingEnv::File(const std::string& path) const {
  absl::MutexLock lock(&mu_);
  auto file = files_.find(path);
  if (file == files_.end()) return std::nullopt;
  return file->second;
}

bool RecordingEnv::HasDir(const std::string& path) const {
  absl::MutexLock lock(&mu_);
  return dirs_.count(path) > 0;
}

mode_t RecordingEnv::ModeOf(const std::string& path) const {
  absl::MutexLock lock(&mu_);
  auto mode = modes_.find(path);
  return mode == modes_.end() ? 0 : mode->second;
}

absl::StatusOr<ProgramOutput> RecordingEnv::Run(
    const std::vector<std::string>& argv, const RunOptions& options) {
  (void)options;
  if (argv.empty() || argv[0].empty()) {
    return absl::InvalidArgumentError("Run: empty command");
  }
  RunHandler handler;
  {
    absl::MutexLock lock(&mu_);
    Record(absl::StrCat("run ", absl::StrJoin(argv, " ")));
    auto found = handlers_.find(argv[0]);
    if (found != handlers_.end()) handler = found->second;
  }
  if (!handler) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot run ", argv[0], ": No such file or directory"));
  }
  return handler(argv);
}

absl::StatusOr<pid_t> RecordingEnv::StartProcess(const ProcessLaunch& launch) {
  if (launch.argv.empty()) {
    return absl::InvalidArgumentError("no program to start");
  }
  if (launch.pid_file.empty()) {
    return absl::InvalidArgumentError("no pid file for " + launch.argv[0]);
  }
  absl::MutexLock lock(&mu_);
  Record(absl::StrCat("start ", absl::StrJoin(launch.argv, " ")));
  auto failure = start_failures_.find(launch.argv[0]);
  if (failure != start_failures_.end()) return failure->second;
  const pid_t pid = next_pid_++;
  running_.insert(pid);
  files_[launch.pid_file] = absl::StrCat(pid, " 1\n");
  return pid;
}

absl::StatusOr<pid_t> RecordingEnv::FindProcess(const std::string& pid_file) {
  absl::MutexLock lock(&mu_);
  auto file = files_.find(pid_file);
  if (file == files_.end()) return 0;
  const pid_t pid = PidIn(file->second);
  return running_.count(pid) > 0 ? pid : 0;
}

ProcessStatus RecordingEnv::ProcessStatusOf(const std::string& pid_file) {
  absl::MutexLock lock(&mu_);
  ProcessStatus status;
  auto file = files_.find(pid_file);
  if (file == files_.end()) return status;
  status.pid = PidIn(file->second);
  if (running_.count(status.pid) > 0) {
    status.state = ProcessStatus::State::kRunning;
    return status;
  }
  auto ended = ended_.find(status.pid);
  return ended == ended_.end() ? status : ended->second;
}

absl::Status RecordingEnv::StopProcess(const std::string& pid_file,
                                       absl::Duration grace) {
  (void)grace;
  absl::MutexLock lock(&mu_);
  Record(absl::StrCat("stop ", pid_file));
  auto file = files_.find(pid_file);
  if (file == files_.end()) return absl::OkStatus();
  const pid_t pid = PidIn(file->second);
  if (running_.erase(pid) > 0) {
    ended_[pid] = {ProcessStatus::State::kSignaled, pid, 0, 15};
  }
  files_.erase(file);
  return absl::OkStatus();
}

absl::Status RecordingEnv::WriteFileAtomically(const std::string& path,
                                               absl::string_view contents,
                                               mode_t mode) {
  absl::MutexLock lock(&mu_);
  Record(absl::StrCat("write ", path));
  if (auto failure = write_failures_.find(path);
      failure != write_failures_.end()) {
    return failure->second;
  }
  if (dirs_.count(DirName(path)) == 0) {
    return absl::InternalError(
        absl::StrCat("cannot write ", path, ".tmp: No such file or directory"));
  }
  files_[path] = std::string(contents);
  modes_[path] = mode;
  return absl::OkStatus();
}

absl::Status RecordingEnv::MakeDirs(const std::string& path, mode_t mode) {
  absl::MutexLock lock(&mu_);
  Record(absl::StrCat("mkdirs ", path));
  for (const std::string& dir : Prefixes(path)) {
    if (files_.count(dir) > 0) {
      return absl::InternalError(
          absl::StrCat("cannot create ", dir, ": File exists"));
    }
    dirs_.insert(dir);
  }
  modes_[path] = mode;
  return absl::OkStatus();
}

absl::StatusOr<std::string> RecordingEnv::ReadFile(const std::string& path,
                                                   size_t max_bytes) {
  absl::MutexLock lock(&mu_);
  auto file = files_.find(path);
  if (file == files_.end()) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  }
  if (file->second.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": larger than ", max_bytes, " bytes"));
  }
  return file->second;
}

std::string RecordingEnv::ReadFileTail(const std::string& path,
                                       size_t max_bytes) {
  absl::MutexLock lock(&mu_);
  auto file = files_.find(path);
  if (file == files_.end()) return "";
  const std::string& text = file->second;
  if (text.size() <= max_bytes) return text;
  return "..." + text.substr(text.size() - max_bytes);
}

bool RecordingEnv::FileExists(const std::string& path) {
  absl::MutexLock lock(&mu_);
  return files_.count(path) > 0;
}

bool RecordingEnv::IsExecutable(const std::string& program) {
  absl::MutexLock lock(&mu_);
  return executables_.count(program) > 0;
}

absl::StatusOr<std::vector<std::string>> RecordingEnv::ListDir(
    const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (dirs_.count(path) == 0) {
    return absl::NotFoundError(absl::StrCat(path, ": no such directory"));
  }
  std::set<std::string> names;
  const std::string prefix = path + "/";
  auto add = [&](const std::string& entry) {
    absl::string_view rest = entry;
    if (!absl::ConsumePrefix(&rest, prefix) || rest.empty()) return;
    names.insert(std::string(rest.substr(0, rest.find('/'))));
  };
  for (const auto& [file, contents] : files_) add(file);
  for (const std::string& dir : dirs_) add(dir);
  return std::vector<std::string>(names.begin(), names.end());
}

absl::StatusOr<std::string> RecordingEnv::ReadLink(const std::string& path) {
  return absl::NotFoundError(absl::StrCat(path, ": not a link"));
}

absl::Status RecordingEnv::RemoveFile(const std::string& path) {
  absl::MutexLock lock(&mu_);
  Record(absl::StrCat("remove ", path));
  files_.erase(path);
  return absl::OkStatus();
}

absl::Status RecordingEnv::RemoveTree(const std::string& path) {
  absl::MutexLock lock(&mu_);
  Record(absl::StrCat("rmtree ", path));
  const std::string prefix = path + "/";
  for (auto it = files_.begin(); it != files_.end();) {
    it = it->first == path || absl::StartsWith(it->first, prefix)
             ? files_.erase(it)
             : std::next(it);
  }
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    it = *it == path || absl::StartsWith(*it, prefix) ? dirs_.erase(it)
                                                      : std::next(it);
  }
  return absl::OkStatus();
}

}  // namespace scalebench::os
