#include "tests/support/hostile_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace scalebench::testing {
namespace {

constexpr int kPollMs = 20;

// Sends all of `data` unless the peer goes away or the server stops.
bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n =
        send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

const std::string kGoodResponse =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

}  // namespace

const char* BehaviorName(Behavior b) {
  switch (b) {
    case Behavior::kGood:
      return "good";
    case Behavior::kGarbage:
      return "garbage";
    case Behavior::kTruncatedBody:
      return "truncated_body";
    case Behavior::kCloseWithoutReply:
      return "close_without_reply";
    case Behavior::kReset:
      return "reset";
    case Behavior::kNeverReply:
      return "never_reply";
    case Behavior::kOversizedHeaders:
      return "oversized_headers";
    case Behavior::kEndlessBody:
      return "endless_body";
    case Behavior::kBadChunk:
      return "bad_chunk";
    case Behavior::kStatus500:
      return "status_500";
    case Behavior::kTrailingGarbage:
      return "trailing_garbage";
    case Behavior::kSlowHeaders:
      return "slow_headers";
    case Behavior::kConflictingLength:
      return "conflicting_length";
    case Behavior::kEndlessInterim:
      return "endless_interim";
    case Behavior::kOtherCodingWithLength:
      return "other_coding_with_length";
    case Behavior::kEarlyReply:
      return "early_reply";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<HostileServer>> HostileServer::Start(
    Behavior b) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (b == Behavior::kEarlyReply) {
    // A small receive window (inherited by accepted sockets), so that a
    // large request body cannot all be in flight.
    const int rcvbuf = 64 * 1024;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 1024) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return absl::InternalError(absl::StrCat("listen: ", std::strerror(errno)));
  }
  return std::unique_ptr<HostileServer>(
      new HostileServer(b, fd, ntohs(addr.sin_port)));
}

HostileServer::HostileServer(Behavior b, int listen_fd, int port)
    : behavior_(b), listen_fd_(listen_fd), port_(port) {
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

HostileServer::~HostileServer() {
  stopping_ = true;
  acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Wake threads blocked in recv/send.
    for (int fd : fds_) shutdown(fd, SHUT_RDWR);
    threads.swap(threads_);
  }
  for (std::thread& t : threads) t.join();
  close(listen_fd_);
}

std::string HostileServer::url() const {
  return absl::StrCat("http://127.0.0.1:", port_, "/");
}

void HostileServer::StallUntil(absl::Time until) {
  stall_until_unix_ns_ = absl::ToUnixNanos(until);
}

void HostileServer::AcceptLoop() {
  while (!stopping_) {
    pollfd p = {listen_fd_, POLLIN, 0};
    if (poll(&p, 1, kPollMs) <= 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard<std::mutex> lock(mu_);
    fds_.push_back(fd);
    threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void HostileServer::Serve(int fd) {
  ServeConnection(fd);
  std::lock_guard<std::mutex> lock(mu_);
  fds_.erase(std::find(fds_.begin(), fds_.end(), fd));
  close(fd);  // With kReset's SO_LINGER of 0, this sends the reset.
}

void HostileServer::ServeConnection(int fd) {
  std::string pending;
  char buf[4096];
  while (!stopping_) {
    // Read one request (headers end with a blank line; no bodies here).
    size_t end;
    while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
      pollfd p = {fd, POLLIN, 0};
      if (poll(&p, 1, kPollMs) == 0) {
        if (stopping_) return;
        continue;
      }
      const ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) return;
      pending.append(buf, static_cast<size_t>(n));
    }
    const std::string head = pending.substr(0, end + 4);
    pending.erase(0, end + 4);
    ++requests_;

    switch (behavior_) {
      case Behavior::kGood: {
        while (!stopping_ &&
               absl::ToUnixNanos(absl::Now()) < stall_until_unix_ns_.load()) {
          usleep(1000);
        }
        if (!SendAll(fd, kGoodResponse)) return;
        break;
      }
      case Behavior::kGarbage:
        SendAll(fd, "THIS IS NOT HTTP\r\n\r\n");
        break;
      case Behavior::kTruncatedBody:
        SendAll(fd,
                "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
        shutdown(fd, SHUT_RDWR);
        return;
      case Behavior::kCloseWithoutReply:
        shutdown(fd, SHUT_RDWR);
        return;
      case Behavior::kReset: {
        const linger reset = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
        return;
      }
      case Behavior::kNeverReply:
        break;
      case Behavior::kOversizedHeaders:
        SendAll(fd, "HTTP/1.1 200 OK\r\nX-Big: " + std::string(1 << 20, 'a') +
                        "\r\nContent-Length: 0\r\n\r\n");
        break;
      case Behavior::kEndlessBody: {
        if (!SendAll(fd,
                     "HTTP/1.1 200 OK\r\nContent-Length: 1152921504606846976"
                     "\r\n\r\n")) {
          return;
        }
        const std::string chunk(64 * 1024, 'z');
        while (!stopping_ && SendAll(fd, chunk)) {
        }
        return;
      }
      case Behavior::kBadChunk:
        SendAll(fd,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                "zz\r\nhello\r\n0\r\n\r\n");
        break;
      case Behavior::kStatus500:
        SendAll(fd,
                "HTTP/1.1 500 Internal Server Error\r\n"
                "Content-Length: 5\r\n\r\noops!");
        break;
      case Behavior::kTrailingGarbage:
        SendAll(fd, kGoodResponse + "EXTRA BYTES");
        break;
      case Behavior::kSlowHeaders: {
        const std::string r = "HTTP/1.1 200 OK\r\nX-Slow: 0123456789\r\n";
        for (char c : r) {
          if (stopping_ || !SendAll(fd, std::string(1, c))) return;
          usleep(50'000);
        }
        return;
      }
      case Behavior::kEndlessInterim: {
        const std::string interim = "HTTP/1.1 102 Processing\r\n\r\n";
        while (!stopping_ && SendAll(fd, interim)) {
        }
        return;
      }
      case Behavior::kOtherCodingWithLength:
        SendAll(fd,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
                "Content-Length: 5\r\n\r\nhello, and more of the body");
        shutdown(fd, SHUT_RDWR);
        return;
      case Behavior::kEarlyReply: {
        if (!SendAll(fd,
                     "HTTP/1.1 413 Content Too Large\r\n"
                     "Content-Length: 0\r\n\r\n")) {
          return;
        }
        usleep(50'000);
        // Then read the body, as a server that answered early does.
        const size_t at = head.find("Content-Length: ");
        uint64_t left =
            at == std::string::npos ? 0 : std::stoull(head.substr(at + 16));
        const size_t have = std::min<uint64_t>(left, pending.size());
        pending.erase(0, have);
        left -= have;
        while (left > 0 && !stopping_) {
          const ssize_t n =
              recv(fd, buf, std::min<uint64_t>(left, sizeof(buf)), 0);
          if (n <= 0) return;
          left -= static_cast<uint64_t>(n);
        }
        break;
      }
      case Behavior::kConflictingLength:
        SendAll(fd,
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                "Content-Length: 6\r\n\r\nhello!");
        break;
    }
  }
}

}  // namespace scalebench::testing
