// PosixEnv::Run: a program run to completion with its output captured.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "os/posix_env.h"

extern char** environ;

namespace scalebench::os {
namespace {

// How often the child's exit is checked while waiting for its output.
constexpr int kPollSliceMs = 20;
// The tail of a program's output quoted in DescribeOutcome.
constexpr size_t kMaxQuotedOutput = 2000;

// A pipe whose ends are closed when it goes out of scope.
struct Pipe {
  int read = -1;
  int write = -1;
  ~Pipe() {
    if (read >= 0) close(read);
    if (write >= 0) close(write);
  }
};

// Opens `result`; only its read end is non-blocking (the child must block
// when the pipe is full, not fail its write). False with errno on error.
bool OpenPipe(Pipe* result) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  result->read = fds[0];
  result->write = fds[1];
  return fcntl(result->read, F_SETFL, O_NONBLOCK) == 0;
}

// Reads what is available on `fd` into `out`, keeping at most `max` bytes
// (setting *truncated when more came); false at end of file or on an
// error other than "no data now".
bool Drain(int fd, size_t max, std::string* out, bool* truncated) {
  char buffer[4096];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      const size_t room = max > out->size() ? max - out->size() : 0;
      const size_t keep = std::min(room, static_cast<size_t>(n));
      out->append(buffer, keep);
      if (keep < static_cast<size_t>(n)) *truncated = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

}  // namespace

std::string DescribeOutcome(const ProgramOutput& output) {
  std::string text = output.err.empty() ? output.out : output.err;
  if (text.size() > kMaxQuotedOutput) {
    text = "..." + text.substr(text.size() - kMaxQuotedOutput);
  }
  text = std::string(absl::StripAsciiWhitespace(text));
  const std::string status =
      output.exit_code < 0
          ? (output.signal > 0
                 ? absl::StrCat("was killed by signal ", output.signal)
                 : std::string("was killed by a signal"))
          : absl::StrCat("exited with status ", output.exit_code);
  return text.empty() ? status : absl::StrCat(status, ": ", text);
}

absl::StatusOr<ProgramOutput> PosixEnv::Run(
    const std::vector<std::string>& argv, const RunOptions& options) {
  if (argv.empty() || argv[0].empty()) {
    return absl::InvalidArgumentError("Run: empty command");
  }
  Pipe out_pipe, err_pipe;
  if (!OpenPipe(&out_pipe) || !OpenPipe(&err_pipe)) {
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe.write, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe.write, STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawn_error =
      posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot run ", argv[0], ": ", strerror(spawn_error)));
  }
  close(out_pipe.write);
  out_pipe.write = -1;
  close(err_pipe.write);
  err_pipe.write = -1;

  ProgramOutput result;
  const size_t max = options.max_output_bytes;
  const absl::Duration deadline = clock_->Monotonic() + options.timeout;
  bool out_open = true, err_open = true;
  int status = 0;
  while (true) {
    pollfd polls[2] = {{out_pipe.read, POLLIN, 0}, {err_pipe.read, POLLIN, 0}};
    poll(polls, 2, kPollSliceMs);
    if (out_open) {
      out_open = Drain(out_pipe.read, max, &result.out, &result.truncated);
    }
    if (err_open) {
      err_open = Drain(err_pipe.read, max, &result.err, &result.truncated);
    }
    pid_t waited = waitpid(pid, &status, WNOHANG);
    if (waited == pid) break;
    if (waited < 0 && errno != EINTR) {
      return absl::InternalError(
          absl::StrCat("waitpid for ", argv[0], ": ", strerror(errno)));
    }
    if (clock_->Monotonic() >= deadline) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return absl::DeadlineExceededError(absl::StrCat(
          "`", absl::StrJoin(argv, " "), "` did not finish within ",
          absl::FormatDuration(options.timeout), "; killed it"));
    }
  }
  // Whatever the program wrote before it exited is in the pipes now.
  if (out_open) Drain(out_pipe.read, max, &result.out, &result.truncated);
  if (err_open) Drain(err_pipe.read, max, &result.err, &result.truncated);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else {
    result.exit_code = -1;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  return result;
}

}  // namespace scalebench::os
