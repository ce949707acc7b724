// PosixEnv's owned processes: started with fork and exec, recorded in a pid
// file with their start time (from /proc) so that a recycled pid is never
// mistaken for them, and stopped with their process group.
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "os/posix_env.h"

namespace scalebench::os {
namespace {

// How long a started process must survive for StartProcess to call it
// started; one that exits sooner failed (bad config, port in use).
constexpr absl::Duration kStartupCheck = absl::Milliseconds(50);
constexpr absl::Duration kPollInterval = absl::Milliseconds(10);
// How long StopProcess waits for the rest of a stopped process's group.
constexpr absl::Duration kGroupExitWait = absl::Seconds(2);
// How long StopProcess waits after SIGKILL before it gives up.
constexpr absl::Duration kKillWait = absl::Seconds(5);
// The log tail quoted when a process fails to start.
constexpr size_t kLogTailBytes = 2000;

// Threads of `pid` still listed under /proc/PID/task.
int ThreadCount(pid_t pid) {
  DIR* dir = opendir(absl::StrCat("/proc/", pid, "/task").c_str());
  if (dir == nullptr) return 0;
  int count = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count;
}

// Field 22 of /proc/PID/stat: start time in clock ticks since boot; 0 when
// the process does not exist. Unique with the pid: a recycled pid has a
// later start time.
uint64_t StartTime(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat;
  if (!std::getline(in, stat)) return 0;
  // The command name (field 2) is in parentheses and may contain spaces.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  const std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat).substr(close + 2), ' ');
  // fields[0] is field 3 (state); field 22 is fields[19].
  uint64_t ticks = 0;
  if (fields.size() < 20 || !absl::SimpleAtoi(fields[19], &ticks)) return 0;
  // A zombie is gone for our purposes, unless only its main thread has
  // exited and other threads (QEMU's, haproxy's) still tear down: then it
  // still holds its ports and memory.
  if (fields[0] == "Z" && ThreadCount(pid) <= 1) return 0;
  return ticks;
}

// Reads "PID START" (ours) or "PID" (a daemon's own pid file).
bool ReadPidFile(const std::string& path, pid_t* pid, uint64_t* start) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return false;
  const std::vector<absl::string_view> parts =
      absl::StrSplit(absl::StripAsciiWhitespace(line), ' ', absl::SkipEmpty());
  if (parts.empty() || !absl::SimpleAtoi(parts[0], pid) || *pid <= 0) {
    return false;
  }
  *start = 0;
  if (parts.size() > 1 && !absl::SimpleAtoi(parts[1], start)) return false;
  return true;
}

// Closes every descriptor >= `first`; async-signal-safe, for the child
// between fork and exec. close_range(2) where the kernel has it (5.9+),
// else one close per possible descriptor.
void CloseDescriptorsFrom(int first) {
  if (syscall(SYS_close_range, first, ~0U, 0) == 0) return;
  const long max = sysconf(_SC_OPEN_MAX);
  for (long fd = first; fd < (max > 0 ? max : 65536); ++fd) {
    close(static_cast<int>(fd));
  }
}

// The child between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(char* const* argv, const char* log,
                            const cpu_set_t* cpus) {
  setsid();
  const int null_in = open("/dev/null", O_RDONLY);
  const int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (null_in >= 0) dup2(null_in, STDIN_FILENO);
  if (out >= 0) {
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
  }
  if (cpus != nullptr && sched_setaffinity(0, sizeof(*cpus), cpus) != 0) {
    _exit(126);
  }
  // The caller's own descriptors (the worker's gRPC connection, listening
  // sockets of tests) must not live on in nginx or QEMU.
  CloseDescriptorsFrom(STDERR_FILENO + 1);
  // The worker blocks SIGINT and SIGTERM for its signal thread and ignores
  // SIGPIPE; a child starts with neither, or it could not be stopped with
  // SIGTERM.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  execvp(argv[0], argv);
  _exit(127);
}

std::string HowItEnded(int status) {
  if (!WIFEXITED(status)) {
    return absl::StrCat("was killed by signal ", WTERMSIG(status));
  }
  return WEXITSTATUS(status) == 127
             ? std::string("could not be run (not found?)")
             : absl::StrCat("exited with status ", WEXITSTATUS(status));
}

}  // namespace

void PosixEnv::Reap(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) == pid) {
    absl::MutexLock lock(&mu_);
    ended_[pid] = status;
  }
}

bool PosixEnv::Alive(pid_t pid, uint64_t start) {
  Reap(pid);
  const uint64_t now = StartTime(pid);
  return now != 0 && (start == 0 || now == start);
}

absl::StatusOr<pid_t> PosixEnv::StartProcess(const ProcessLaunch& launch) {
  if (launch.argv.empty()) {
    return absl::InvalidArgumentError("no program to start");
  }
  if (launch.pid_file.empty()) {
    return absl::InvalidArgumentError("no pid file for " + launch.argv[0]);
  }
  std::vector<char*> argv;
  for (const std::string& arg : launch.argv) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  const std::string log =
      launch.log_path.empty() ? "/dev/null" : launch.log_path;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : launch.cpus) CPU_SET(cpu, &set);

  const pid_t pid = fork();
  if (pid < 0) {
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    ExecChild(argv.data(), log.c_str(), launch.cpus.empty() ? nullptr : &set);
  }
  // The child pins itself before exec, but may not have run yet: pinning
  // it from here too means it is pinned when this returns, whatever the
  // scheduler did.
  if (!launch.cpus.empty() && sched_setaffinity(pid, sizeof(set), &set) != 0) {
    const int error = errno;
    kill(pid, SIGKILL);
    Reap(pid);
    return absl::InternalError(absl::StrCat(
        "sched_setaffinity of ", launch.argv[0], ": ", std::strerror(error)));
  }
  {
    absl::MutexLock lock(&mu_);
    ended_.erase(pid);
  }

  pid_t process = pid;
  if (launch.own_pid_file_wait > absl::ZeroDuration()) {
    // A daemonizing program: wait for its own pid file, then take the pid
    // in it as the process and rewrite the file in our format.
    const absl::Duration deadline =
        clock_->Monotonic() + launch.own_pid_file_wait;
    uint64_t unused = 0;
    pid_t daemon = 0;
    while (!ReadPidFile(launch.pid_file, &daemon, &unused)) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid &&
          !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        return absl::InternalError(
            absl::StrCat(launch.argv[0], " failed to start: ",
                         ReadFileTail(launch.log_path, kLogTailBytes)));
      }
      if (clock_->Monotonic() > deadline) {
        kill(-pid, SIGKILL);
        Reap(pid);
        return absl::DeadlineExceededError(absl::StrCat(
            launch.argv[0], " wrote no pid file ", launch.pid_file, " within ",
            absl::FormatDuration(launch.own_pid_file_wait), ": ",
            ReadFileTail(launch.log_path, kLogTailBytes)));
      }
      clock_->SleepUntil(clock_->Monotonic() + kPollInterval);
    }
    Reap(pid);
    process = daemon;
  } else {
    clock_->SleepUntil(clock_->Monotonic() + kStartupCheck);
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return absl::InternalError(
          absl::StrCat(launch.argv[0], " ", HowItEnded(status), ": ",
                       ReadFileTail(launch.log_path, kLogTailBytes)));
    }
  }
  const std::string line = absl::StrCat(process, " ", StartTime(process), "\n");
  if (absl::Status s = WriteFileAtomically(launch.pid_file, line, 0644);
      !s.ok()) {
    kill(process, SIGKILL);
    return s;
  }
  return process;
}

absl::StatusOr<pid_t> PosixEnv::FindProcess(const std::string& pid_file) {
  pid_t pid = 0;
  uint64_t start = 0;
  if (!ReadPidFile(pid_file, &pid, &start)) return 0;
  return Alive(pid, start) ? pid : 0;
}

ProcessStatus PosixEnv::ProcessStatusOf(const std::string& pid_file) {
  ProcessStatus result;
  uint64_t start = 0;
  if (!ReadPidFile(pid_file, &result.pid, &start)) return result;
  if (Alive(result.pid, start)) {
    result.state = ProcessStatus::State::kRunning;
    return result;
  }
  absl::MutexLock lock(&mu_);
  auto ended = ended_.find(result.pid);
  if (ended == ended_.end()) return result;  // Not ours: how is unknown.
  if (WIFEXITED(ended->second)) {
    result.state = ProcessStatus::State::kExited;
    result.exit_code = WEXITSTATUS(ended->second);
  } else if (WIFSIGNALED(ended->second)) {
    result.state = ProcessStatus::State::kSignaled;
    result.signal = WTERMSIG(ended->second);
  }
  return result;
}

absl::Status PosixEnv::StopProcess(const std::string& pid_file,
                                   absl::Duration grace) {
  pid_t pid = 0;
  uint64_t start = 0;
  if (!ReadPidFile(pid_file, &pid, &start) || !Alive(pid, start)) {
    unlink(pid_file.c_str());
    return absl::OkStatus();
  }
  // The whole group: nginx's workers, QEMU's helpers. The group id is the
  // pid of a process StartProcess made a session leader; for an adopted
  // daemon it may not be, so signal the pid itself too.
  kill(-pid, SIGTERM);
  kill(pid, SIGTERM);
  const absl::Duration deadline = clock_->Monotonic() + grace;
  while (Alive(pid, start)) {
    if (clock_->Monotonic() > deadline) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
    }
    clock_->SleepUntil(clock_->Monotonic() + kPollInterval);
    if (clock_->Monotonic() > deadline + kKillWait) {
      return absl::InternalError(
          absl::StrCat("process ", pid, " of ", pid_file, " survived SIGKILL"));
    }
  }
  // A child of ours whose main thread has gone may still be tearing down
  // (QEMU's threads); until they finish it cannot be reaped, and a caller
  // that went on would keep the zombie forever. Wait for it (bounded).
  const absl::Duration reap_deadline = clock_->Monotonic() + kKillWait;
  while (clock_->Monotonic() < reap_deadline) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      absl::MutexLock lock(&mu_);
      ended_[pid] = status;
    }
    if (r == pid || (r < 0 && errno == ECHILD)) break;
    clock_->SleepUntil(clock_->Monotonic() + kPollInterval);
  }
  // Children left in the group (nginx workers of a killed master): killed,
  // and waited for briefly so that their ports are free on return. A
  // zombie that nobody reaps also answers kill(), hence the bound.
  const absl::Duration group_deadline = clock_->Monotonic() + kGroupExitWait;
  while (kill(-pid, SIGKILL) == 0 && clock_->Monotonic() < group_deadline) {
    clock_->SleepUntil(clock_->Monotonic() + kPollInterval);
  }
  unlink(pid_file.c_str());
  return absl::OkStatus();
}

}  // namespace scalebench::os
