#include "worker/balancers/haproxy_balancer.h"

#include <sys/resource.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "worker/balancers/balancer_launch.h"

namespace scalebench::worker {
namespace {

// Connections haproxy accepts at once, at most; fewer when the file limit
// is lower (haproxy needs two descriptors per connection and refuses to
// start when it cannot raise its limit to fit maxconn).
constexpr uint64_t kMaxConnections = 50000;
constexpr uint64_t kReservedFiles = 200;

uint64_t MaxConnections() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 ||
      limit.rlim_max == RLIM_INFINITY) {
    return kMaxConnections;
  }
  if (limit.rlim_max < 2 * kReservedFiles) return kReservedFiles / 2;
  return std::min<uint64_t>(kMaxConnections,
                            (limit.rlim_max - kReservedFiles) / 2);
}
constexpr char kTimeouts[] =
    "  timeout connect 5s\n"
    "  timeout client 60s\n"
    "  timeout server 60s\n"
    "  timeout http-keep-alive 60s\n";

std::string ConfigPath(const std::string& prefix) {
  return absl::StrCat(prefix, "/haproxy.cfg");
}

const char* BalanceKeyword(v1::BalancerAlgorithm algorithm) {
  switch (algorithm) {
    case v1::BALANCER_ALGORITHM_LEASTCONN:
      return "leastconn";
    case v1::BALANCER_ALGORITHM_SOURCE:
      return "source";
    default:
      return "roundrobin";
  }
}

std::string HaproxyConfig(const BalancerLaunch& launch,
                          const CheckedBalancerLaunch& checked) {
  std::string out = absl::StrCat("# scalebench balancer ", launch.id,
                                 "; generated, do not edit\n", "global\n",
                                 "  nbthread ", checked.threads, "\n");
  // Thread i+1 of process 1 on cpus[i].
  for (size_t i = 0; i < launch.cpus.size(); ++i) {
    absl::StrAppend(&out, "  cpu-map 1/", i + 1, " ", launch.cpus[i], "\n");
  }
  const uint64_t max_connections = MaxConnections();
  absl::StrAppend(&out, "  maxconn ", max_connections, "\n",
                  "defaults\n"
                  "  mode http\n"
                  "  option http-keep-alive\n"
                  "  http-reuse always\n"
                  "  retries 3\n"
                  "  option redispatch\n",
                  kTimeouts, "  maxconn ", max_connections, "\n",
                  "frontend scalebench\n"
                  "  bind ",
                  checked.listen.ToString(), "\n",
                  "  default_backend targets\n"
                  "backend targets\n"
                  "  balance ",
                  BalanceKeyword(launch.algorithm), "\n");
  const int64_t inter_ms =
      absl::ToInt64Milliseconds(launch.health_check_interval);
  for (size_t i = 0; i < checked.backends.size(); ++i) {
    absl::StrAppend(&out, "  server t", i, " ", checked.backends[i].ToString());
    if (launch.health_check_interval > absl::ZeroDuration()) {
      // haproxy counts in milliseconds; a sub-millisecond interval is 1 ms.
      absl::StrAppend(&out, " check inter ", std::max<int64_t>(inter_ms, 1));
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

}  // namespace

HaproxyBalancer::HaproxyBalancer(const WorkerContext& context,
                                 HaproxyBalancerOptions options)
    : OwnedProcessDriver(context, BalancerProcessKind("haproxy"),
                         options.stop_grace,
                         {options.haproxy_binary, "-v", "HAProxy version "},
                         /*read_by_workers=*/false),
      options_(std::move(options)) {}

absl::StatusOr<LaunchPlan> HaproxyBalancer::Plan(const BalancerLaunch& launch) {
  if (absl::Status s = processes_.ValidateId(launch.id); !s.ok()) return s;
  absl::StatusOr<CheckedBalancerLaunch> checked = CheckBalancerLaunch(launch);
  if (!checked.ok()) return checked.status();
  const std::string prefix = processes_.Prefix(launch.id);
  LaunchPlan plan;
  plan.summary = absl::StrCat(
      "balancer: haproxy ", BalanceKeyword(launch.algorithm), " over ",
      checked->backends.size(), " target(s), ", checked->threads, " thread(s)",
      launch.cpus.empty()
          ? std::string(" unpinned")
          : absl::StrCat(" on cores ", absl::StrJoin(launch.cpus, ",")),
      ", health checks ",
      launch.health_check_interval > absl::ZeroDuration()
          ? absl::StrCat("every ",
                         absl::FormatDuration(launch.health_check_interval))
          : std::string("off"),
      ", listening on ", checked->listen.ToString());
  plan.files.push_back({ConfigPath(prefix), HaproxyConfig(launch, *checked)});
  plan.commands.push_back(
      {options_.haproxy_binary, "-db", "-f", ConfigPath(prefix)});
  return plan;
}

absl::StatusOr<OwnedProcesses::PlannedStart> HaproxyBalancer::StartDetails(
    const BalancerLaunch& launch) {
  return BalancerStart(
      launch, {}, absl::StrCat(processes_.Prefix(launch.id), "/haproxy.log"));
}

}  // namespace scalebench::worker
