#include "worker/http_probe.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "common/fake_clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

using ::testing::HasSubstr;

// Answers every connection on 127.0.0.1 with `response`, then closes it.
class CannedServer {
 public:
  explicit CannedServer(std::string response) : response_(std::move(response)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 16);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      while (true) {
        const int c = accept(fd_, nullptr, nullptr);
        if (c < 0 || stop_) {
          if (c >= 0) close(c);
          return;
        }
        char buffer[1024];
        (void)recv(c, buffer, sizeof(buffer), 0);
        (void)send(c, response_.data(), response_.size(), MSG_NOSIGNAL);
        close(c);
      }
    });
  }
  ~CannedServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::string response_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A port on which nothing listens: bound, never listening.
uint16_t DeadPort(int* fd) {
  *fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(*fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(*fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

TEST(ProbeHttpTest, A2xxAnswerIsReady) {
  FakeClock clock;  // Probes bound their waits by its time.
  CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(ProbeHttp(server.endpoint(), clock).ok());
}

TEST(ProbeHttpTest, AnErrorStatusIsNotReady) {
  FakeClock clock;  // Probes bound their waits by its time.
  CannedServer server("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
  const absl::Status s = ProbeHttp(server.endpoint(), clock);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("status 502"));
}

TEST(ProbeHttpTest, GarbageIsNotReady) {
  FakeClock clock;  // Probes bound their waits by its time.
  CannedServer server("SSH-2.0-OpenSSH\r\n");
  EXPECT_THAT(ProbeHttp(server.endpoint(), clock).message(),
              HasSubstr("no HTTP status line"));
}

TEST(ProbeHttpTest, RefusedSaysSo) {
  FakeClock clock;  // Probes bound their waits by its time.
  int fd = -1;
  const uint16_t port = DeadPort(&fd);
  const absl::Status s = ProbeHttp("127.0.0.1:" + std::to_string(port), clock);
  close(fd);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("refused"));
}

TEST(ProbeHttpTest, MalformedEndpointIsInvalid) {
  FakeClock clock;  // Probes bound their waits by its time.
  EXPECT_EQ(ProbeHttp("localhost", clock).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ProbeHttpTest, ASilentServerTimesOutByTheClock) {
  // Listens but never answers; the kernel completes the connection.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string endpoint =
      "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  FakeClock clock;  // Stands still: a zero timeout has passed at once.
  const absl::Status s = ProbeHttp(endpoint, clock, absl::ZeroDuration());
  close(fd);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr(endpoint));
}

TEST(WaitForHttpTest, GivesUpAfterTheTimeoutNamingTheEndpoint) {
  int fd = -1;
  const std::string endpoint = "127.0.0.1:" + std::to_string(DeadPort(&fd));
  const absl::Status s =
      WaitForHttp(endpoint, absl::Milliseconds(200), *Clock::Real());
  close(fd);
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.message(), HasSubstr(endpoint));
}

TEST(WaitForHttpTest, ReturnsOnceTheServerAnswers) {
  CannedServer server("HTTP/1.0 204 No Content\r\n\r\n");
  EXPECT_TRUE(
      WaitForHttp(server.endpoint(), absl::Seconds(5), *Clock::Real()).ok());
}

}  // namespace
}  // namespace scalebench::worker
