#include "worker/testing/fake_target_driver.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "worker/balancers/balancer_launch.h"

namespace scalebench::worker::testing {

InProcessServer::InProcessServer(uint16_t port, size_t body_bytes)
    : body_(body_bytes, 'x') {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        listen(fd_, 64) == 0;
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

InProcessServer::~InProcessServer() {
  stop_ = true;
  shutdown(fd_, SHUT_RDWR);
  close(fd_);
  accept_thread_.join();
  for (std::thread& t : connections_) t.join();
}

void InProcessServer::AcceptLoop() {
  while (!stop_) {
    const int c = accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    connections_.emplace_back([this, c] { Serve(c); });
  }
}

void InProcessServer::Serve(int c) {
  const std::string response = absl::StrCat(
      "HTTP/1.1 200 OK\r\nContent-Length: ", body_.size(), "\r\n\r\n", body_);
  std::string pending;
  char buffer[4096];
  timeval poll_interval = {0, 100'000};
  setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &poll_interval, sizeof(poll_interval));
  while (!stop_) {
    const ssize_t n = recv(c, buffer, sizeof(buffer), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) break;
    pending.append(buffer, static_cast<size_t>(n));
    size_t end;
    while ((end = pending.find("\r\n\r\n")) != std::string::npos) {
      pending.erase(0, end + 4);
      if (send(c, response.data(), response.size(), MSG_NOSIGNAL) < 0) break;
    }
  }
  close(c);
}

namespace {

// A worker with only a clock: the fakes have no identity or OS.
WorkerContext ClockOnly(Clock* clock) {
  WorkerContext context;
  context.clock = clock;
  return context;
}

}  // namespace

InProcessServers::InProcessServers(Clock* clock)
    : Instances(ClockOnly(clock)) {}

void InProcessServers::Add(const std::string& id,
                           std::unique_ptr<InProcessServer> server) {
  absl::MutexLock lock(&mu_);
  servers_[id] = std::move(server);
}

size_t InProcessServers::size() const {
  absl::MutexLock lock(&mu_);
  return servers_.size();
}

absl::Status InProcessServers::Stop(const std::string& id) {
  absl::MutexLock lock(&mu_);
  servers_.erase(id);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> InProcessServers::List() {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const auto& [id, server] : servers_) ids.push_back(id);
  return ids;
}

absl::StatusOr<std::optional<Termination>> InProcessServers::Terminated(
    const std::string& id) {
  absl::MutexLock lock(&mu_);
  if (servers_.count(id) > 0) return std::nullopt;
  return Termination{Termination::Reason::kStopped};
}

absl::Status FakeTargetDriver::CheckUsable() {
  if (unusable.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(unusable);
}

absl::StatusOr<LaunchPlan> FakeTargetDriver::Plan(const TargetLaunch& launch) {
  LaunchPlan plan;
  plan.summary = absl::StrCat("fake target ", launch.index);
  return plan;
}

absl::StatusOr<Target> FakeTargetDriver::Start(const TargetLaunch& launch) {
  if (launch.index == fail_index) {
    return absl::InternalError("nginx exited with status 1");
  }
  servers_.Add(launch.id, silent ? nullptr
                                 : std::make_unique<InProcessServer>(
                                       launch.port, launch.page_bytes));
  absl::MutexLock lock(&mu_);
  launches_.push_back(launch);
  return Target{launch.id,
                absl::StrCat(launch.listen_address, ":", launch.port)};
}

std::vector<TargetLaunch> FakeTargetDriver::launches() const {
  absl::MutexLock lock(&mu_);
  return launches_;
}

absl::StatusOr<LaunchPlan> FakeBalancer::Plan(const BalancerLaunch& launch) {
  // What every real balancer refuses, this one refuses too.
  if (absl::StatusOr<CheckedBalancerLaunch> checked =
          CheckBalancerLaunch(launch);
      !checked.ok()) {
    return checked.status();
  }
  LaunchPlan plan;
  plan.summary = absl::StrCat("fake balancer over ", launch.endpoints.size(),
                              " endpoints");
  return plan;
}

absl::StatusOr<Target> FakeBalancer::Start(const BalancerLaunch& launch) {
  servers_.Add(launch.id, std::make_unique<InProcessServer>(launch.port, 10));
  absl::MutexLock lock(&mu_);
  launches_.push_back(launch);
  return Target{launch.id,
                absl::StrCat(launch.listen_address, ":", launch.port)};
}

std::vector<BalancerLaunch> FakeBalancer::launches() const {
  absl::MutexLock lock(&mu_);
  return launches_;
}

}  // namespace scalebench::worker::testing
