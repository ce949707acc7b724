#include "worker/native_test_support.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "worker/endpoint.h"

namespace scalebench::worker {

absl::StatusOr<HttpAnswer> HttpGet(const std::string& endpoint) {
  absl::StatusOr<HostPort> target = ParseEndpoint(endpoint, "endpoint");
  if (!target.ok()) return target.status();
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval timeout = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(target->port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("connect to ", endpoint));
  }
  const std::string request = "GET / HTTP/1.0\r\nHost: test\r\n\r\n";
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::UnavailableError("send");
  }
  std::string response;
  char buffer[65536];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0)
    response.append(buffer, n);
  close(fd);
  const size_t head_end = response.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    return absl::UnavailableError(absl::StrCat("no response from ", endpoint));
  }
  HttpAnswer answer;
  const std::vector<std::string> status_line =
      absl::StrSplit(response.substr(0, response.find("\r\n")), ' ');
  if (status_line.size() < 2 ||
      !absl::SimpleAtoi(status_line[1], &answer.status)) {
    return absl::UnavailableError("bad status line");
  }
  answer.body = response.substr(head_end + 4);
  return answer;
}

bool Running(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat;
  if (pid <= 0 || !std::getline(in, stat)) return false;
  const size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() &&
         stat[close + 2] != 'Z';
}

pid_t PidInFile(const std::string& path) {
  std::ifstream in(path);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

void NativeFixture::SetUp() {
  std::string dir_template =
      absl::StrCat(::testing::TempDir(), "/scalebench-native.XXXXXX");
  ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
  state_dir_ = dir_template;
  context_ = MakeContext("w1");
}

void NativeFixture::TearDown() {
  for (const WorkerContext& context : contexts_) {
    EXPECT_TRUE(NativeDriver(context).Recover().ok());
    RecoverMore(context);
  }
  std::error_code error;
  std::filesystem::remove_all(state_dir_, error);
}

WorkerContext NativeFixture::MakeContext(const std::string& name) {
  WorkerContext context;
  context.name = name;
  context.owner = absl::StrCat("scalebench-", name);
  context.clock = Clock::Real();
  context.state_dir = state_dir_;
  contexts_.push_back(context);
  return context;
}

uint16_t NativeFixture::FreePort() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    const bool ok =
        bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    close(fd);
    const uint16_t port = ntohs(addr.sin_port);
    if (ok && std::find(ports_.begin(), ports_.end(), port) == ports_.end()) {
      ports_.push_back(port);
      return port;
    }
  }
  ADD_FAILURE() << "no free port";
  return 0;
}

}  // namespace scalebench::worker
