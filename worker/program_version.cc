#include "worker/program_version.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace scalebench::worker {
namespace {

// Version output is a few lines; more is not read.
constexpr size_t kMaxOutput = 64 * 1024;

}  // namespace

absl::StatusOr<std::string> ProgramVersion(const std::vector<std::string>& argv,
                                           const std::string& marker,
                                           absl::Duration timeout) {
  const std::string command = absl::StrJoin(argv, " ");
  if (argv.empty()) return absl::InvalidArgumentError("no program");
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    const int null_in = open("/dev/null", O_RDONLY);
    if (null_in >= 0) dup2(null_in, STDIN_FILENO);
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  std::string output;
  const absl::Time deadline = absl::Now() + timeout;
  bool timed_out = false;
  while (output.size() < kMaxOutput) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      timed_out = true;
      break;
    }
    pollfd p = {pipe_fds[0], POLLIN, 0};
    const int ready =
        poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      timed_out = ready == 0;
      break;
    }
    char buffer[4096];
    const ssize_t n = read(pipe_fds[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return absl::FailedPreconditionError(
        absl::StrCat("`", command, "` did not finish within ",
                     absl::FormatDuration(timeout)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "`", command, "` ",
        WIFEXITED(status) && WEXITSTATUS(status) == 127
            ? std::string("could not be run (not installed?)")
            : absl::StrCat("failed: ",
                           absl::StripTrailingAsciiWhitespace(output))));
  }
  if (const size_t at = output.find(marker); at != std::string::npos) {
    absl::string_view rest =
        absl::string_view(output).substr(at + marker.size());
    rest = rest.substr(0, rest.find_first_of(" \t\r\n"));
    if (!rest.empty()) return std::string(rest);
  }
  return absl::FailedPreconditionError(
      absl::StrCat("`", command, "` printed no version after \"", marker,
                   "\": ", absl::StripTrailingAsciiWhitespace(output)));
}

}  // namespace scalebench::worker
