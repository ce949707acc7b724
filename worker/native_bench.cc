// Starts native targets (and a balancer in front of them), measures the
// time from Start() to the first 2xx answer, runs a load generator command
// against the endpoint, and stops everything. For bench/native_balancers.sh.
//
//   worker_native_bench MODE STATE_DIR -- COMMAND... ({url} replaced)
//   MODE: target (1 target, core 0), haproxy or nginx (2 targets on cores
//   0 and 1, the balancer on both cores, roundrobin)
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "platforms/native/native_driver.h"
#include "worker/balancers/haproxy_balancer.h"
#include "worker/balancers/nginx_balancer.h"
#include "worker/http_probe.h"

namespace scalebench::worker {
namespace {

constexpr uint16_t kFirstPort = 28080;
constexpr absl::Duration kReadyTimeout = absl::Seconds(10);
constexpr absl::Duration kProbeInterval = absl::Milliseconds(2);
// How long the load generator command may run.
constexpr absl::Duration kCommandTimeout = absl::Hours(1);

// Start() to the first 2xx answer, in milliseconds; negative on failure.
template <typename Launch>
double TimeToReady(Driver<Launch>& driver, const Launch& launch, Clock& clock,
                   std::string* endpoint) {
  const absl::Duration begin = clock.Monotonic();
  absl::StatusOr<Target> started = driver.Start(launch);
  if (!started.ok()) {
    std::fprintf(stderr, "%s\n", started.status().ToString().c_str());
    return -1;
  }
  // Probed every 2 ms rather than through WaitReady's 50 ms, so that the
  // time is measured to a few ms.
  if (absl::Status s =
          WaitForHttp(started->endpoint, kReadyTimeout, clock, kProbeInterval);
      !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return -1;
  }
  *endpoint = started->endpoint;
  return absl::ToDoubleMilliseconds(clock.Monotonic() - begin);
}

int Run(const std::string& mode, const std::string& state_dir,
        std::vector<std::string> command, Clock* clock, os::Env* env) {
  WorkerContext context;
  context.name = "bench";
  context.owner = "scalebench-bench";
  context.state_dir = state_dir;
  context.clock = clock;
  context.env = env;
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
    const double ms =
        TimeToReady<TargetLaunch>(driver, launch, *clock, &endpoint);
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
        TimeToReady<BalancerLaunch>(*balancer, launch, *clock, &endpoint);
    if (ms < 0) return 1;
    std::printf("balancer %s start_to_ready_ms %.1f\n", mode.c_str(), ms);
  }
  std::fflush(stdout);
  for (std::string& arg : command) {
    arg = absl::StrReplaceAll(
        arg, {{"{url}", absl::StrCat("http://", endpoint, "/")}});
  }
  os::RunOptions run;
  run.timeout = kCommandTimeout;
  absl::StatusOr<os::ProgramOutput> output = env->Run(command, run);
  if (balancer != nullptr) (void)balancer->Stop(launch.id);
  for (int i = 0; i < targets; ++i) {
    (void)driver.Stop(absl::StrCat(context.owner, "-t", i));
  }
  if (!output.ok()) {
    std::fprintf(stderr, "%s\n", output.status().ToString().c_str());
    return 127;
  }
  // The load generator's report, for bench/native_balancers.sh to read.
  std::fwrite(output->out.data(), 1, output->out.size(), stdout);
  std::fwrite(output->err.data(), 1, output->err.size(), stderr);
  return output->exit_code >= 0 ? output->exit_code : 1;
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
      argv[1], argv[2], std::vector<std::string>(argv + 4, argv + argc),
      scalebench::Clock::Real(), scalebench::os::Env::Default());
}
