#include "tests/support/nginx_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/free_ports.h"

extern char** environ;

namespace scalebench::testing {
namespace {

constexpr char kNginx[] = "/usr/sbin/nginx";
constexpr int kStartAttempts = 3;
constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr int kReadyPolls = 250;  // 5 s.

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

void StopAndReap(pid_t pid) {
  kill(pid, SIGTERM);
  for (int i = 0; i < kReadyPolls; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(kPollInterval);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

std::string Config(const std::string& dir, int port,
                   const NginxOptions& options) {
  // Workers run as nobody when the test runs as root.
  const std::string user = geteuid() == 0 ? "user nobody nogroup;" : "";
  const std::string log =
      options.access_log ? absl::StrCat(dir, "/access.log") : "off";
  return absl::StrFormat(R"(%s
worker_processes %d;
daemon off;
master_process on;
pid %s/nginx.pid;
error_log %s/error.log warn;
events { worker_connections 4096; }
http {
  access_log %s;
  client_body_temp_path %s/tmp;
  proxy_temp_path %s/tmp;
  fastcgi_temp_path %s/tmp;
  uwsgi_temp_path %s/tmp;
  scgi_temp_path %s/tmp;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:%d backlog=4096;
    root %s/html;
  }
}
)",
                         user, options.worker_processes, dir, dir, log, dir,
                         dir, dir, dir, dir, port, dir);
}

}  // namespace

absl::StatusOr<int> PickFreePort() {
  absl::StatusOr<std::vector<uint16_t>> ports = FreePorts("127.0.0.1", 1);
  if (!ports.ok()) return ports.status();
  return (*ports)[0];
}

absl::StatusOr<std::unique_ptr<NginxServer>> NginxServer::Start(
    const NginxOptions& options) {
  if (access(kNginx, X_OK) != 0) {
    return absl::FailedPreconditionError(
        "nginx is not installed (deploy/install-deps.sh installs it)");
  }
  std::string error_text;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    char dir_template[] = "/tmp/scalebench-nginx.XXXXXX";
    if (mkdtemp(dir_template) == nullptr) {
      return absl::InternalError(
          absl::StrCat("mkdtemp: ", std::strerror(errno)));
    }
    const std::string dir = dir_template;
    std::filesystem::create_directories(dir + "/html");
    std::filesystem::create_directories(dir + "/tmp");
    chmod(dir.c_str(), 0755);
    std::ofstream(dir + "/html/index.html")
        << std::string(options.page_bytes, 'x');
    auto port = PickFreePort();
    if (!port.ok()) return port.status();
    std::ofstream(dir + "/nginx.conf") << Config(dir, *port, options);

    const std::string conf = dir + "/nginx.conf";
    const std::string err = dir + "/error.log";
    const char* argv[] = {kNginx,       "-p", dir.c_str(), "-c",
                          conf.c_str(), "-e", err.c_str(), nullptr};
    pid_t pid = 0;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string out = dir + "/stdout.log";
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int rc = posix_spawn(&pid, kNginx, &actions, nullptr,
                               const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      std::filesystem::remove_all(dir);
      return absl::InternalError(
          absl::StrCat("spawn nginx: ", std::strerror(rc)));
    }
    for (int i = 0; i < kReadyPolls; ++i) {
      if (Accepts(*port)) {
        return std::unique_ptr<NginxServer>(new NginxServer(dir, *port, pid));
      }
      if (waitpid(pid, nullptr, WNOHANG) == pid) break;  // Exited.
      std::this_thread::sleep_for(kPollInterval);
    }
    // Most likely the port was taken between picking and binding: retry.
    error_text = ReadFile(err) + ReadFile(out);
    StopAndReap(pid);
    std::filesystem::remove_all(dir);
  }
  return absl::InternalError(absl::StrCat("nginx did not start: ", error_text));
}

NginxServer::~NginxServer() {
  StopAndReap(pid_);
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string NginxServer::url() const {
  return absl::StrCat("http://127.0.0.1:", port_, "/");
}

uint64_t NginxServer::AccessLogLines() const {
  const std::string path = dir_ + "/access.log";
  auto count = [&] {
    std::ifstream in(path);
    uint64_t lines = 0;
    std::string line;
    while (std::getline(in, line)) ++lines;
    return lines;
  };
  uint64_t previous = count();
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(kPollInterval * 5);
    const uint64_t now = count();
    if (now == previous) return now;
    previous = now;
  }
  return previous;
}

}  // namespace scalebench::testing
