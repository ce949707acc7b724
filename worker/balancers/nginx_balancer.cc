#include "worker/balancers/nginx_balancer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "worker/balancers/balancer_launch.h"
#include "worker/program_version.h"

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
    : options_(std::move(options)),
      processes_(context, BalancerProcessKind("nginx"), options_.stop_grace) {}

absl::StatusOr<std::string> NginxBalancer::Version() {
  return ProgramVersion({options_.nginx_binary, "-v"}, "nginx/");
}

absl::Status NginxBalancer::CheckUsable() {
  if (absl::Status s = Version().status(); !s.ok()) return s;
  return processes_.CheckReachable();
}

absl::Status NginxBalancer::Recover() { return processes_.Recover(); }

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

absl::StatusOr<std::string> NginxBalancer::Start(const BalancerLaunch& launch) {
  absl::StatusOr<LaunchPlan> plan = Plan(launch);
  if (!plan.ok()) return plan.status();
  if (absl::Status s = processes_.CreatePrefix(launch.id); !s.ok()) return s;
  if (absl::Status s = CheckCanListen(CheckBalancerLaunch(launch)->listen);
      !s.ok()) {
    (void)processes_.Stop(launch.id);  // Remove the prefix again.
    return s;
  }
  const std::string prefix = processes_.Prefix(launch.id);
  if (geteuid() == 0) {
    if (absl::Status s = CheckSearchableByOthers(prefix); !s.ok()) {
      (void)processes_.Stop(launch.id);
      return s;
    }
  }
  const std::string tmp = absl::StrCat(prefix, "/tmp");
  std::error_code error;
  std::filesystem::create_directories(tmp, error);
  chmod(tmp.c_str(), 0755);
  if (error) {
    (void)processes_.Stop(launch.id);
    return absl::InternalError(
        absl::StrCat("cannot create ", tmp, ": ", error.message()));
  }
  return WriteFilesAndStart(processes_, launch, *plan,
                            NginxErrorLogPath(prefix));
}

absl::Status NginxBalancer::Stop(const std::string& id) {
  return processes_.Stop(id);
}

}  // namespace scalebench::worker
