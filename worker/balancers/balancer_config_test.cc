// The configs the haproxy and nginx balancers generate, read as text:
// every algorithm, health checks on and off, pinning, and values that must
// never reach a config refused.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "worker/balancers/haproxy_balancer.h"
#include "worker/balancers/nginx_balancer.h"
#include "worker/testing/test_context.h"

namespace scalebench::worker {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

WorkerContext Context() {
  return testing::TestContext("/var/lib/scalebench-test");
}

BalancerLaunch Launch() {
  BalancerLaunch launch;
  launch.id = "scalebench-w1-balancer";
  launch.endpoints = {"127.0.0.1:20001", "[::1]:20002", "target-3.lab:80"};
  launch.cpus = {0, 1};
  launch.port = 20000;
  return launch;
}

std::string HaproxyConfig(const BalancerLaunch& launch) {
  HaproxyBalancer balancer(Context());
  absl::StatusOr<LaunchPlan> plan = balancer.Plan(launch);
  EXPECT_TRUE(plan.ok()) << plan.status();
  if (!plan.ok() || plan->files.size() != 1) return "";
  return plan->files[0].contents;
}

std::string NginxConfig(const BalancerLaunch& launch) {
  NginxBalancer balancer(Context());
  absl::StatusOr<LaunchPlan> plan = balancer.Plan(launch);
  EXPECT_TRUE(plan.ok()) << plan.status();
  if (!plan.ok() || plan->files.size() != 1) return "";
  return plan->files[0].contents;
}

TEST(HaproxyConfigTest, ListsEveryBackendAndPinsOneThreadPerCore) {
  const std::string config = HaproxyConfig(Launch());
  EXPECT_THAT(config, HasSubstr("nbthread 2\n"));
  EXPECT_THAT(config, HasSubstr("cpu-map 1/1 0\n"));
  EXPECT_THAT(config, HasSubstr("cpu-map 1/2 1\n"));
  EXPECT_THAT(config, HasSubstr("bind 127.0.0.1:20000\n"));
  EXPECT_THAT(config, HasSubstr("server t0 127.0.0.1:20001\n"));
  EXPECT_THAT(config, HasSubstr("server t1 [::1]:20002\n"));
  EXPECT_THAT(config, HasSubstr("server t2 target-3.lab:80\n"));
  EXPECT_THAT(config, HasSubstr("http-reuse always"));
}

TEST(HaproxyConfigTest, EachAlgorithm) {
  BalancerLaunch launch = Launch();
  launch.algorithm = v1::BALANCER_ALGORITHM_ROUNDROBIN;
  EXPECT_THAT(HaproxyConfig(launch), HasSubstr("balance roundrobin\n"));
  launch.algorithm = v1::BALANCER_ALGORITHM_LEASTCONN;
  EXPECT_THAT(HaproxyConfig(launch), HasSubstr("balance leastconn\n"));
  launch.algorithm = v1::BALANCER_ALGORITHM_SOURCE;
  EXPECT_THAT(HaproxyConfig(launch), HasSubstr("balance source\n"));
  launch.algorithm = v1::BALANCER_ALGORITHM_UNSPECIFIED;
  EXPECT_EQ(HaproxyBalancer(Context()).Plan(launch).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(HaproxyConfigTest, HealthChecksOnlyWithAnInterval) {
  BalancerLaunch launch = Launch();
  EXPECT_THAT(HaproxyConfig(launch), Not(HasSubstr("check")));
  launch.health_check_interval = absl::Milliseconds(1500);
  const std::string config = HaproxyConfig(launch);
  EXPECT_THAT(config,
              HasSubstr("server t0 127.0.0.1:20001 check inter 1500\n"));
  EXPECT_THAT(config,
              HasSubstr("server t2 target-3.lab:80 check inter 1500\n"));
}

TEST(HaproxyConfigTest, RunsInTheForegroundOnItsPrefix) {
  HaproxyBalancer balancer(Context());
  absl::StatusOr<LaunchPlan> plan = balancer.Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  const std::string cfg =
      "/var/lib/scalebench-test/balancers/scalebench-w1-balancer/haproxy.cfg";
  EXPECT_EQ(plan->files[0].path, cfg);
  ASSERT_EQ(plan->commands.size(), 1u);
  EXPECT_EQ(plan->commands[0],
            (std::vector<std::string>{"/usr/sbin/haproxy", "-db", "-f", cfg}));
}

TEST(NginxConfigTest, AnUpstreamOfEveryBackendPinnedOneWorkerPerCore) {
  const std::string config = NginxConfig(Launch());
  EXPECT_THAT(config, HasSubstr("worker_processes 2;\n"));
  EXPECT_THAT(config, HasSubstr("worker_cpu_affinity 01 10;\n"));
  EXPECT_THAT(config, HasSubstr("daemon off;\n"));
  EXPECT_THAT(config, HasSubstr("master_process on;\n"));
  EXPECT_THAT(config, HasSubstr("listen 127.0.0.1:20000 backlog=4096;\n"));
  EXPECT_THAT(config, HasSubstr("server 127.0.0.1:20001 max_fails=0;\n"));
  EXPECT_THAT(config, HasSubstr("server [::1]:20002 max_fails=0;\n"));
  EXPECT_THAT(config, HasSubstr("server target-3.lab:80 max_fails=0;\n"));
  EXPECT_THAT(config, HasSubstr("keepalive 256;\n"));
  EXPECT_THAT(config, HasSubstr("proxy_http_version 1.1;\n"));
  EXPECT_THAT(config, HasSubstr("access_log off;\n"));
}

TEST(NginxConfigTest, EachAlgorithm) {
  BalancerLaunch launch = Launch();
  launch.algorithm = v1::BALANCER_ALGORITHM_ROUNDROBIN;
  std::string config = NginxConfig(launch);
  EXPECT_THAT(config, Not(HasSubstr("least_conn")));
  EXPECT_THAT(config, Not(HasSubstr("ip_hash")));
  launch.algorithm = v1::BALANCER_ALGORITHM_LEASTCONN;
  EXPECT_THAT(NginxConfig(launch),
              HasSubstr("upstream scalebench_targets {\n    least_conn;\n"));
  launch.algorithm = v1::BALANCER_ALGORITHM_SOURCE;
  EXPECT_THAT(NginxConfig(launch),
              HasSubstr("upstream scalebench_targets {\n    ip_hash;\n"));
  launch.algorithm = static_cast<v1::BalancerAlgorithm>(77);
  EXPECT_EQ(NginxBalancer(Context()).Plan(launch).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NginxConfigTest, PassiveHealthChecksFromTheInterval) {
  BalancerLaunch launch = Launch();
  launch.health_check_interval = absl::Milliseconds(2500);
  std::string config = NginxConfig(launch);
  EXPECT_THAT(
      config,
      HasSubstr("server 127.0.0.1:20001 max_fails=1 fail_timeout=3s;\n"));
  EXPECT_THAT(config, Not(HasSubstr("max_fails=0")));
  launch.health_check_interval = absl::Milliseconds(100);
  EXPECT_THAT(NginxConfig(launch), HasSubstr("max_fails=1 fail_timeout=1s;"));
}

TEST(NginxConfigTest, WithoutCoresOneWorkerPerHostCoreUnpinned) {
  BalancerLaunch launch = Launch();
  launch.cpus.clear();
  const std::string config = NginxConfig(launch);
  EXPECT_THAT(config, Not(HasSubstr("worker_cpu_affinity")));
  EXPECT_THAT(HaproxyConfig(launch), Not(HasSubstr("cpu-map")));
}

// Every value that would break out of its place in a config, in every
// field that reaches one.
TEST(BalancerConfigTest, HostileValuesNeverReachAConfig) {
  const std::vector<std::string> hostile = {
      "127.0.0.1:80\"",
      "127.0.0.1:80;",
      "127.0.0.1:80\n",
      "127.0.0.1:80 backup",
      "a\";b:80",
      "evil;server x:1",
      "a:80\nserver b:81",
      "a b:80",
      "127.0.0.1:80\r\n",
      "'127.0.0.1':80",
      "127.0.0.1:80#",
      "127.0.0.1:80}",
      "{127.0.0.1}:80",
      "127.0.0.1:0",
      "127.0.0.1:99999",
      "127.0.0.1",
      "",
      "[::1;]:80",
  };
  HaproxyBalancer haproxy(Context());
  NginxBalancer nginx(Context());
  for (const std::string& value : hostile) {
    BalancerLaunch launch = Launch();
    launch.endpoints[1] = value;
    EXPECT_EQ(haproxy.Plan(launch).status().code(),
              absl::StatusCode::kInvalidArgument)
        << "endpoint: " << value;
    EXPECT_EQ(nginx.Plan(launch).status().code(),
              absl::StatusCode::kInvalidArgument)
        << "endpoint: " << value;
    EXPECT_THAT(std::string(nginx.Plan(launch).status().message()),
                HasSubstr("endpoints[1]"));
  }
  for (const char* value :
       {"127.0.0.1;", "127.0.0.1 ", "a\"b", "a\nb", "a b", "[::1]", ""}) {
    BalancerLaunch launch = Launch();
    launch.listen_address = value;
    EXPECT_EQ(haproxy.Plan(launch).status().code(),
              absl::StatusCode::kInvalidArgument)
        << "listen: " << value;
    EXPECT_EQ(nginx.Plan(launch).status().code(),
              absl::StatusCode::kInvalidArgument)
        << "listen: " << value;
  }
  for (const char* id :
       {"scalebench-w1-balancer;", "scalebench-w1-balancer/../x",
        "scalebench-other-balancer", "scalebench-w1-t0", "balancer",
        "scalebench-w1-balancer x"}) {
    BalancerLaunch launch = Launch();
    launch.id = id;
    EXPECT_EQ(haproxy.Plan(launch).status().code(),
              absl::StatusCode::kInvalidArgument)
        << "id: " << id;
    EXPECT_EQ(nginx.Plan(launch).status().code(),
              absl::StatusCode::kInvalidArgument)
        << "id: " << id;
  }
  BalancerLaunch launch = Launch();
  launch.endpoints.clear();
  EXPECT_EQ(haproxy.Plan(launch).status().code(),
            absl::StatusCode::kInvalidArgument);
  launch = Launch();
  launch.port = 0;
  EXPECT_EQ(nginx.Plan(launch).status().code(),
            absl::StatusCode::kInvalidArgument);
  launch = Launch();
  launch.health_check_interval = absl::Seconds(-1);
  EXPECT_EQ(haproxy.Plan(launch).status().code(),
            absl::StatusCode::kInvalidArgument);
  launch = Launch();
  launch.cpus = {-1};
  EXPECT_EQ(nginx.Plan(launch).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace scalebench::worker
