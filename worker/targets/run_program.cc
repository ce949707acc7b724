#include "worker/targets/run_program.h"

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

extern char** environ;

namespace scalebench::worker {
namespace {

// How often the child's exit is checked while waiting for its output.
constexpr int kPollSliceMs = 20;

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

// Reads what is available on `fd` into `out`; false at end of file or on
// an error other than "no data now".
bool Drain(int fd, std::string* out) {
  char buffer[4096];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      out->append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

std::string Describe(const std::vector<std::string>& argv) {
  return absl::StrJoin(argv, " ");
}

}  // namespace

absl::StatusOr<ProgramOutput> RunProgram(const std::vector<std::string>& argv,
                                         absl::Duration timeout, Clock& clock) {
  if (argv.empty() || argv[0].empty()) {
    return absl::InvalidArgumentError("RunProgram: empty command");
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
  const absl::Duration deadline = clock.Monotonic() + timeout;
  bool out_open = true, err_open = true;
  int status = 0;
  while (true) {
    pollfd polls[2] = {{out_pipe.read, POLLIN, 0}, {err_pipe.read, POLLIN, 0}};
    poll(polls, 2, kPollSliceMs);
    if (out_open) out_open = Drain(out_pipe.read, &result.out);
    if (err_open) err_open = Drain(err_pipe.read, &result.err);
    pid_t waited = waitpid(pid, &status, WNOHANG);
    if (waited == pid) break;
    if (waited < 0 && errno != EINTR) {
      return absl::InternalError(
          absl::StrCat("waitpid for ", argv[0], ": ", strerror(errno)));
    }
    if (clock.Monotonic() >= deadline) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return absl::DeadlineExceededError(
          absl::StrCat("`", Describe(argv), "` did not finish within ",
                       absl::FormatDuration(timeout), "; killed it"));
    }
  }
  // Whatever the program wrote before it exited is in the pipes now.
  if (out_open) Drain(out_pipe.read, &result.out);
  if (err_open) Drain(err_pipe.read, &result.err);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace scalebench::worker
