// Starts native targets (and a balancer in front of them), measures the
// time from Start() to the first 2xx answer, runs a load generator command
// against the endpoint, and stops everything. For bench/native_balancers.sh.
//
//   worker_native_bench MODE STATE_DIR -- COMMAND... ({url} replaced)
//   MODE: target (1 target, core 0), haproxy or nginx (2 targets on cores
//   0 and 1, the balancer on both cores, roundrobin)
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "worker/balancers/haproxy_balancer.h"
#include "worker/balancers/nginx_balancer.h"
#include "worker/http_probe.h"
#include "worker/targets/native_driver.h"

namespace scalebench::worker {
namespace {

constexpr uint16_t kFirstPort = 28080;
constexpr absl::Duration kReadyTimeout = absl::Seconds(10);
constexpr absl::Duration kProbeInterval = absl::Milliseconds(2);

// Start() to ready, in milliseconds; negative on failure.
double TimeToReady(const std::function<absl::StatusOr<std::string>()>& start,
                   std::string* endpoint) {
  Clock& clock = *Clock::Real();
  const absl::Duration begin = clock.Monotonic();
  absl::StatusOr<std::string> started = start();
  if (!started.ok()) {
    std::fprintf(stderr, "%s\n", started.status().ToString().c_str());
    return -1;
  }
  if (absl::Status s =
          WaitForHttp(*started, kReadyTimeout, clock, kProbeInterval);
      !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return -1;
  }
  *endpoint = *started;
  return absl::ToDoubleMilliseconds(clock.Monotonic() - begin);
}

int Run(const std::string& mode, const std::string& state_dir,
        std::vector<std::string> command) {
  WorkerContext context;
  context.name = "bench";
  context.owner = "scalebench-bench";
  context.state_dir = state_dir;
  NativeDriver driver(context);
  HaproxyBalancer haproxy(context);
  NginxBalancer nginx(context);
  (void)driver.Recover();
  (void)haproxy.Recover();
  (void)nginx.Recover();

  const int targets = mode == "target" ? 1 : 2;
  std::vector<std::string> endpoints;
  for (int i = 0; i < targets; ++i) {
    TargetLaunch launch;
    launch.id = absl::StrCat(context.owner, "-t", i);
    launch.index = i;
    launch.cpus = {i};
    launch.port = kFirstPort + 1 + i;
    std::string endpoint;
    const double ms = TimeToReady(
        [&]() -> absl::StatusOr<std::string> {
          absl::StatusOr<Target> t = driver.Start(launch);
          if (!t.ok()) return t.status();
          return t->endpoint;
        },
        &endpoint);
    if (ms < 0) return 1;
    std::printf("target %d start_to_ready_ms %.1f\n", i, ms);
    endpoints.push_back(endpoint);
  }
  std::string endpoint = endpoints[0];
  Balancer* balancer = mode == "haproxy" ? static_cast<Balancer*>(&haproxy)
                       : mode == "nginx" ? static_cast<Balancer*>(&nginx)
                                         : nullptr;
  BalancerLaunch launch;
  launch.id = context.owner + "-balancer";
  launch.endpoints = endpoints;
  launch.cpus = {0, 1};
  launch.port = kFirstPort;
  if (balancer != nullptr) {
    const double ms =
        TimeToReady([&] { return balancer->Start(launch); }, &endpoint);
    if (ms < 0) return 1;
    std::printf("balancer %s start_to_ready_ms %.1f\n", mode.c_str(), ms);
  }
  std::fflush(stdout);
  for (std::string& arg : command) {
    arg = absl::StrReplaceAll(
        arg, {{"{url}", absl::StrCat("http://", endpoint, "/")}});
  }
  std::vector<char*> argv;
  for (std::string& arg : command) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int status = 1;
  const pid_t pid = fork();
  if (pid == 0) {
    execvp(argv[0], argv.data());
    _exit(127);
  }
  if (pid > 0) waitpid(pid, &status, 0);
  if (balancer != nullptr) (void)balancer->Stop(launch.id);
  for (int i = 0; i < targets; ++i) {
    (void)driver.Stop(absl::StrCat(context.owner, "-t", i));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace
}  // namespace scalebench::worker

int main(int argc, char** argv) {
  if (argc < 5 || std::string(argv[3]) != "--") {
    std::fprintf(stderr,
                 "usage: %s target|haproxy|nginx STATE_DIR -- COMMAND...\n",
                 argv[0]);
    return 2;
  }
  return scalebench::worker::Run(
      argv[1], argv[2], std::vector<std::string>(argv + 4, argv + argc));
}
