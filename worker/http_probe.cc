#include "worker/http_probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace scalebench::worker {
namespace {

// Waits for `events` on `fd` until `deadline` on `clock`'s monotonic
// time; false on timeout or error.
bool WaitFor(int fd, short events, absl::Duration deadline, Clock& clock) {
  const int64_t ms = absl::ToInt64Milliseconds(deadline - clock.Monotonic());
  pollfd p = {fd, events, 0};
  return poll(&p, 1, ms < 0 ? 0 : static_cast<int>(ms)) == 1;
}

}  // namespace

absl::Status ProbeHttp(const std::string& endpoint, Clock& clock,
                       absl::Duration timeout) {
  const size_t colon = endpoint.rfind(':');
  uint32_t port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(endpoint.substr(colon + 1), &port) || port == 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", endpoint, "' is not host:port"));
  }
  std::string host = endpoint.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints = {};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints,
                  &addresses) != 0 ||
      addresses == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", host));
  }
  const int fd = socket(addresses->ai_family,
                        SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    freeaddrinfo(addresses);
    return absl::UnavailableError(absl::StrCat("socket: ", strerror(errno)));
  }
  // A socket-level bound on one probe; the caller's Clock paces retries.
  const absl::Duration deadline = clock.Monotonic() + timeout;
  absl::Status result = absl::OkStatus();
  const int rc = connect(fd, addresses->ai_addr, addresses->ai_addrlen);
  freeaddrinfo(addresses);
  int error = rc == 0 ? 0 : errno;
  if (error == EINPROGRESS) {
    if (!WaitFor(fd, POLLOUT, deadline, clock)) {
      error = ETIMEDOUT;
    } else {
      socklen_t len = sizeof(error);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
    }
  }
  if (error != 0) {
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("connect to ", endpoint, ": ", strerror(error)));
  }
  const std::string request = absl::StrCat("GET / HTTP/1.1\r\nHost: ", endpoint,
                                           "\r\nConnection: close\r\n\r\n");
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("send to ", endpoint, " failed"));
  }
  // The status line is all we need: "HTTP/1.x NNN".
  std::string head;
  char buffer[256];
  while (head.size() < 12) {
    if (!WaitFor(fd, POLLIN, deadline, clock)) {
      close(fd);
      return absl::UnavailableError(absl::StrCat(
          endpoint, " did not answer within ", absl::FormatDuration(timeout)));
    }
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    head.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  int status = 0;
  if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0 ||
      !absl::SimpleAtoi(head.substr(9, 3), &status)) {
    return absl::UnavailableError(
        absl::StrCat(endpoint, " sent no HTTP status line"));
  }
  if (status < 200 || status > 299) {
    return absl::UnavailableError(
        absl::StrCat(endpoint, " answered with status ", status));
  }
  return result;
}

absl::Status WaitForHttp(const std::string& endpoint, absl::Duration timeout,
                         Clock& clock, absl::Duration interval) {
  const absl::Duration deadline = clock.Monotonic() + timeout;
  absl::Status last;
  while (true) {
    last =
        ProbeHttp(endpoint, clock, std::min(interval * 20, absl::Seconds(1)));
    if (last.ok() || last.code() == absl::StatusCode::kInvalidArgument) {
      return last;
    }
    if (clock.Monotonic() >= deadline) break;
    clock.SleepUntil(std::min(deadline, clock.Monotonic() + interval));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(endpoint, " did not answer HTTP within ",
                   absl::FormatDuration(timeout), ": ", last.message()));
}

}  // namespace scalebench::worker
