#include "worker/balancers/nginx_balancer.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "worker/balancers/balancer_launch.h"

namespace scalebench::worker {
namespace {

// Idle keep-alive connections to the backends each worker keeps.
constexpr int kUpstreamKeepalive = 256;
// A proxying worker holds two connections per client.
constexpr uint32_t kWorkerConnections = 16384;

const char* MethodLine(v1::BalancerAlgorithm algorithm) {
  switch (algorithm) {
    case v1::BALANCER_ALGORITHM_LEASTCONN:
      return "    least_conn;\n";
    case v1::BALANCER_ALGORITHM_SOURCE:
      return "    ip_hash;\n";
    default:
      return "";  // Round robin is nginx's default.
  }
}

const char* AlgorithmName(v1::BalancerAlgorithm algorithm) {
  switch (algorithm) {
    case v1::BALANCER_ALGORITHM_LEASTCONN:
      return "least_conn";
    case v1::BALANCER_ALGORITHM_SOURCE:
      return "ip_hash";
    default:
      return "round robin";
  }
}

// Passive checks standing in for active ones; see the header.
std::string ServerParameters(absl::Duration interval) {
  if (interval <= absl::ZeroDuration()) return " max_fails=0";
  const int64_t seconds = std::max<int64_t>(
      1, absl::ToInt64Seconds(absl::Ceil(interval, absl::Seconds(1))));
  return absl::StrCat(" max_fails=1 fail_timeout=", seconds, "s");
}

std::string HttpBody(const BalancerLaunch& launch,
                     const CheckedBalancerLaunch& checked) {
  std::string out = absl::StrCat("  upstream scalebench_targets {\n",
                                 MethodLine(launch.algorithm));
  const std::string parameters = ServerParameters(launch.health_check_interval);
  for (const HostPort& backend : checked.backends) {
    absl::StrAppend(&out, "    server ", backend.ToString(), parameters, ";\n");
  }
  absl::StrAppend(&out, "    keepalive ", kUpstreamKeepalive, ";\n",
                  "  }\n"
                  "  server {\n"
                  "    listen ",
                  checked.listen.ToString(), " backlog=4096;\n",
                  "    location / {\n"
                  "      proxy_pass http://scalebench_targets;\n"
                  "      proxy_http_version 1.1;\n"
                  "      proxy_set_header Connection \"\";\n"
                  "      proxy_next_upstream error timeout;\n"
                  "    }\n"
                  "  }\n");
  return out;
}

}  // namespace

NginxBalancer::NginxBalancer(const WorkerContext& context,
                             NginxBalancerOptions options)
    : OwnedProcessDriver(context, BalancerProcessKind("nginx"),
                         options.stop_grace,
                         {options.nginx_binary, "-v", "nginx/"},
                         /*read_by_workers=*/true),
      options_(std::move(options)) {}

absl::StatusOr<LaunchPlan> NginxBalancer::Plan(const BalancerLaunch& launch) {
  if (absl::Status s = processes_.ValidateId(launch.id); !s.ok()) return s;
  absl::StatusOr<CheckedBalancerLaunch> checked = CheckBalancerLaunch(launch);
  if (!checked.ok()) return checked.status();
  NginxProcessConfig config;
  config.prefix = processes_.Prefix(launch.id);
  config.worker_processes = checked->threads;
  config.cpus = launch.cpus;
  config.worker_connections = kWorkerConnections;
  config.as_root = geteuid() == 0;
  config.file_limit = NginxFileLimit();
  LaunchPlan plan;
  plan.summary = absl::StrCat(
      "balancer: nginx ", AlgorithmName(launch.algorithm), " over ",
      checked->backends.size(), " target(s), ", checked->threads, " worker(s)",
      launch.cpus.empty()
          ? std::string(" unpinned")
          : absl::StrCat(" on cores ", absl::StrJoin(launch.cpus, ",")),
      ", passive health checks ",
      launch.health_check_interval > absl::ZeroDuration()
          ? absl::StrCat("(fail_timeout ",
                         absl::FormatDuration(launch.health_check_interval),
                         " rounded up to seconds)")
          : std::string("off"),
      ", listening on ", checked->listen.ToString());
  plan.files.push_back({NginxConfPath(config.prefix),
                        NginxConfig(config, HttpBody(launch, *checked))});
  plan.commands.push_back(NginxCommand(options_.nginx_binary, config.prefix));
  return plan;
}

absl::StatusOr<OwnedProcesses::PlannedStart> NginxBalancer::StartDetails(
    const BalancerLaunch& launch) {
  // nginx's temp dir; its start-up errors and error_log go to one file.
  return BalancerStart(launch, {"tmp"},
                       NginxErrorLogPath(processes_.Prefix(launch.id)));
}

}  // namespace scalebench::worker
