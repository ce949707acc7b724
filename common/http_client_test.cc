// The HTTP client against a one-connection HTTP/1.1 server in the test,
// on 127.0.0.1:0 and on a unix socket.
#include "common/http_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench {
namespace {

using ::testing::HasSubstr;

// Answers one request with `reply` and keeps what was asked.
class OneShotServer {
 public:
  // On 127.0.0.1:0, or on `socket_path` when it is not empty.
  OneShotServer(std::string reply, const std::string& socket_path = "")
      : reply_(std::move(reply)) {
    if (socket_path.empty()) {
      fd_ = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
      socklen_t len = sizeof(addr);
      getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
      port_ = ntohs(addr.sin_port);
    } else {
      fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      socket_path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
      unlink(socket_path.c_str());
      EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    }
    EXPECT_EQ(listen(fd_, 1), 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneShotServer() {
    thread_.join();
    close(fd_);
  }
  std::string url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }
  // What the client sent; complete once the response has been read.
  const std::string& request() const { return request_; }

 private:
  void Serve() {
    const int conn = accept(fd_, nullptr, nullptr);
    if (conn < 0) return;
    char buf[4096];
    size_t want = std::string::npos;
    while (request_.size() < want) {
      const ssize_t n = read(conn, buf, sizeof(buf));
      if (n <= 0) break;
      request_.append(buf, n);
      const size_t end = request_.find("\r\n\r\n");
      if (end != std::string::npos && want == std::string::npos) {
        size_t length = 0;
        const size_t at = request_.find("Content-Length: ");
        if (at != std::string::npos && at < end) {
          length = std::stoul(request_.substr(at + 16));
        }
        want = end + 4 + length;
      }
    }
    (void)!write(conn, reply_.data(), reply_.size());
    close(conn);
  }

  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::string request_;
  std::thread thread_;
};

constexpr char kOk[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";

TEST(HttpClientTest, GetReturnsStatusAndBody) {
  OneShotServer server(kOk);
  absl::StatusOr<HttpResponse> response = HttpGet(server.url("/metrics"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_FALSE(response->truncated);
  EXPECT_TRUE(absl::StartsWith(server.request(), "GET /metrics HTTP/1.1\r\n"))
      << server.request();
}

TEST(HttpClientTest, PostSendsHeadersAndBodyAndReturnsAnyStatus) {
  OneShotServer server(
      "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  HttpRequest request;
  request.method = "POST";
  request.url = server.url("/hook");
  request.headers = {"Content-Type: application/json", "Idempotency-Key: k1"};
  request.body = R"({"text":"hi"})";
  absl::StatusOr<HttpResponse> response = SendHttpRequest(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 503);
  EXPECT_THAT(server.request(), HasSubstr("POST /hook HTTP/1.1\r\n"));
  EXPECT_THAT(server.request(), HasSubstr("Idempotency-Key: k1\r\n"));
  EXPECT_THAT(server.request(), HasSubstr("Content-Type: application/json"));
  EXPECT_TRUE(absl::EndsWith(server.request(), "\r\n\r\n{\"text\":\"hi\"}"));
  EXPECT_THAT(server.request(), ::testing::Not(HasSubstr("Expect:")));
}

TEST(HttpClientTest, KeepsAtMostTheBoundOfTheBody) {
  OneShotServer server(kOk);
  HttpRequest request;
  request.url = server.url("/");
  request.max_response_bytes = 3;
  absl::StatusOr<HttpResponse> response = SendHttpRequest(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "hel");
  EXPECT_TRUE(response->truncated);
}

TEST(HttpClientTest, ReachesAUnixSocket) {
  const std::string path = ::testing::TempDir() + "/http-client.sock";
  OneShotServer server(kOk, path);
  HttpRequest request;
  request.url = "http://localhost/v1.41/_ping";
  request.unix_socket = path;
  request.body_file = "";
  absl::StatusOr<HttpResponse> response = SendHttpRequest(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "hello");
  EXPECT_THAT(server.request(), HasSubstr("GET /v1.41/_ping HTTP/1.1\r\n"));
}

TEST(HttpClientTest, StreamsABodyFile) {
  const std::string file = ::testing::TempDir() + "/http-client-body";
  std::ofstream(file) << "layer bytes";
  OneShotServer server(kOk);
  HttpRequest request;
  request.method = "POST";
  request.url = server.url("/images/create");
  request.body_file = file;
  ASSERT_TRUE(SendHttpRequest(request).ok());
  EXPECT_THAT(server.request(), HasSubstr("Content-Length: 11\r\n"));
  EXPECT_TRUE(absl::EndsWith(server.request(), "layer bytes"));
}

TEST(HttpClientTest, NoAnswerIsUnavailableAndAMissingFileNotFound) {
  // Port 1 on loopback: nobody listens.
  absl::StatusOr<HttpResponse> refused = HttpGet("http://127.0.0.1:1/");
  EXPECT_TRUE(absl::IsUnavailable(refused.status())) << refused.status();
  HttpRequest request;
  request.url = "http://127.0.0.1:1/";
  request.body_file = "/nonexistent/body";
  EXPECT_TRUE(absl::IsNotFound(SendHttpRequest(request).status()));
  request.body_file.clear();
  request.url = "file:///etc/passwd";
  EXPECT_TRUE(absl::IsUnavailable(SendHttpRequest(request).status()));
}

TEST(UrlEscapeTest, EncodesAllButUnreservedCharacters) {
  EXPECT_EQ(UrlEscape("a-Z_0.9~"), "a-Z_0.9~");
  EXPECT_EQ(UrlEscape("CMD [\"x\"]"), "CMD%20%5B%22x%22%5D");
  EXPECT_EQ(UrlEscape(""), "");
}

}  // namespace
}  // namespace scalebench
