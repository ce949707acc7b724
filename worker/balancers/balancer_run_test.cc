// The haproxy and nginx balancers with real processes, in front of two
// native targets that serve pages of different sizes (so an answer says
// which target served it): every algorithm answers through the balancer,
// round robin reaches both targets, health checks on work, Stop is
// idempotent, and Recover removes a balancer a crashed worker left.
#include <sched.h>

#include <filesystem>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "loadgen/report.h"
#include "loadgen/runner.h"
#include "os/env.h"
#include "platforms/native/native_driver.h"
#include "worker/balancers/haproxy_balancer.h"
#include "worker/balancers/nginx_balancer.h"
#include "worker/http_probe.h"
#include "worker/native_test_support.h"
#include "worker/testing/load_check.h"

namespace scalebench::worker {
namespace {

// The endpoint of a started balancer.
absl::StatusOr<std::string> EndpointOf(absl::StatusOr<Target> started) {
  if (!started.ok()) return started.status();
  return started->endpoint;
}

using ::testing::HasSubstr;

constexpr absl::Duration kReadyTimeout = absl::Seconds(10);
constexpr uint32_t kPageBytes[] = {1000, 2000};

struct Case {
  v1::BalancerKind kind;
  v1::BalancerAlgorithm algorithm;
  absl::Duration health_check_interval;
};

std::string Name(const ::testing::TestParamInfo<Case>& info) {
  return absl::StrCat(
      info.param.kind == v1::BALANCER_KIND_HAPROXY ? "haproxy" : "nginx", "_",
      v1::BalancerAlgorithm_Name(info.param.algorithm).substr(19),
      info.param.health_check_interval > absl::ZeroDuration() ? "_checked"
                                                              : "");
}

std::unique_ptr<Balancer> MakeBalancer(v1::BalancerKind kind,
                                       const WorkerContext& context) {
  if (kind == v1::BALANCER_KIND_HAPROXY) {
    return std::make_unique<HaproxyBalancer>(context);
  }
  return std::make_unique<NginxBalancer>(context);
}

class BalancerFixture : public NativeFixture {
 protected:
  void RecoverMore(const WorkerContext& context) override {
    EXPECT_TRUE(HaproxyBalancer(context).Recover().ok());
    EXPECT_TRUE(NginxBalancer(context).Recover().ok());
  }
  // Two native targets, serving kPageBytes[i] bytes.
  void StartTargets() {
    targets_ = std::make_unique<NativeDriver>(context_);
    for (int i = 0; i < 2; ++i) {
      TargetLaunch launch;
      launch.id = absl::StrCat(context_.owner, "-t", i);
      launch.index = i;
      launch.cpus = {i};
      launch.port = FreePort();
      launch.page_bytes = kPageBytes[i];
      absl::StatusOr<Target> target = targets_->Start(launch);
      ASSERT_TRUE(target.ok()) << target.status();
      ASSERT_TRUE(
          WaitForHttp(target->endpoint, kReadyTimeout, *Clock::Real()).ok());
      endpoints_.push_back(target->endpoint);
    }
  }
  BalancerLaunch Launch(const Case& c) {
    BalancerLaunch launch;
    launch.id = context_.owner + "-balancer";
    launch.algorithm = c.algorithm;
    launch.health_check_interval = c.health_check_interval;
    launch.endpoints = endpoints_;
    launch.cpus = {0, 1};
    launch.port = FreePort();
    return launch;
  }
  std::string PidFile(const std::string& id) {
    return absl::StrCat(state_dir_, "/run/", id, ".pid");
  }

  std::unique_ptr<NativeDriver> targets_;
  std::vector<std::string> endpoints_;
};

class BalancerRunTest : public BalancerFixture,
                        public ::testing::WithParamInterface<Case> {};

TEST_P(BalancerRunTest, AnswersThroughTheBalancer) {
  ASSERT_NO_FATAL_FAILURE(StartTargets());
  std::unique_ptr<Balancer> balancer = MakeBalancer(GetParam().kind, context_);
  ASSERT_TRUE(balancer->CheckUsable().ok());
  const BalancerLaunch launch = Launch(GetParam());
  absl::StatusOr<std::string> endpoint = EndpointOf(balancer->Start(launch));
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(*endpoint, absl::StrCat("127.0.0.1:", launch.port));
  ASSERT_TRUE(WaitForHttp(*endpoint, kReadyTimeout, *Clock::Real()).ok());

  // Pinned to the cores asked.
  const pid_t pid = PidInFile(PidFile(launch.id));
  ASSERT_TRUE(Running(pid));
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(pid, sizeof(set), &set), 0);
  EXPECT_EQ(CPU_COUNT(&set), 2);

  std::multiset<size_t> sizes;
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<HttpAnswer> answer = HttpGet(*endpoint);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->status, 200);
    sizes.insert(answer->body.size());
  }
  for (size_t size : sizes) {
    EXPECT_TRUE(size == kPageBytes[0] || size == kPageBytes[1]) << size;
  }
  if (GetParam().algorithm == v1::BALANCER_ALGORITHM_ROUNDROBIN) {
    // Both backends, evenly: haproxy's threads share one rotation; each
    // nginx worker rotates on its own, so the halves may be one off.
    EXPECT_GE(sizes.count(kPageBytes[0]), 9u);
    EXPECT_GE(sizes.count(kPageBytes[1]), 9u);
  }
  if (GetParam().algorithm == v1::BALANCER_ALGORITHM_SOURCE) {
    // One client address: always the same backend.
    EXPECT_EQ(sizes.count(*sizes.begin()), sizes.size());
  }

  ASSERT_TRUE(balancer->Stop(launch.id).ok());
  EXPECT_FALSE(Running(pid));
  EXPECT_FALSE(ProbeHttp(*endpoint, *Clock::Real()).ok());
  EXPECT_FALSE(std::filesystem::exists(PidFile(launch.id)));
  EXPECT_TRUE(balancer->Stop(launch.id).ok());  // Idempotent.
}

INSTANTIATE_TEST_SUITE_P(
    AllAlgorithms, BalancerRunTest,
    ::testing::Values(
        Case{v1::BALANCER_KIND_HAPROXY, v1::BALANCER_ALGORITHM_ROUNDROBIN,
             absl::ZeroDuration()},
        Case{v1::BALANCER_KIND_HAPROXY, v1::BALANCER_ALGORITHM_LEASTCONN,
             absl::ZeroDuration()},
        Case{v1::BALANCER_KIND_HAPROXY, v1::BALANCER_ALGORITHM_SOURCE,
             absl::ZeroDuration()},
        Case{v1::BALANCER_KIND_HAPROXY, v1::BALANCER_ALGORITHM_ROUNDROBIN,
             absl::Milliseconds(200)},
        Case{v1::BALANCER_KIND_NGINX, v1::BALANCER_ALGORITHM_ROUNDROBIN,
             absl::ZeroDuration()},
        Case{v1::BALANCER_KIND_NGINX, v1::BALANCER_ALGORITHM_LEASTCONN,
             absl::ZeroDuration()},
        Case{v1::BALANCER_KIND_NGINX, v1::BALANCER_ALGORITHM_SOURCE,
             absl::ZeroDuration()},
        Case{v1::BALANCER_KIND_NGINX, v1::BALANCER_ALGORITHM_ROUNDROBIN,
             absl::Seconds(1)}),
    Name);

class BalancerKindTest
    : public BalancerFixture,
      public ::testing::WithParamInterface<v1::BalancerKind> {
 protected:
  Case RoundRobin() {
    return {GetParam(), v1::BALANCER_ALGORITHM_ROUNDROBIN,
            absl::ZeroDuration()};
  }
};

// With health checks on, a target that goes away is marked down (haproxy:
// its active checks fail; nginx: its first failed request) and every
// answer comes from the other one.
TEST_P(BalancerKindTest, HealthChecksRouteAroundADeadTarget) {
  ASSERT_NO_FATAL_FAILURE(StartTargets());
  std::unique_ptr<Balancer> balancer = MakeBalancer(GetParam(), context_);
  Case c = RoundRobin();
  c.health_check_interval = absl::Milliseconds(100);
  const BalancerLaunch launch = Launch(c);
  absl::StatusOr<std::string> endpoint = EndpointOf(balancer->Start(launch));
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_TRUE(WaitForHttp(*endpoint, kReadyTimeout, *Clock::Real()).ok());
  ASSERT_TRUE(targets_->Stop(context_.owner + "-t1").ok());
  // haproxy needs `fall` (3) failed checks; wait them out.
  Clock::Real()->SleepUntil(Clock::Real()->Monotonic() + absl::Seconds(1));
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<HttpAnswer> answer = HttpGet(*endpoint);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->status, 200);
    EXPECT_EQ(answer->body.size(), kPageBytes[0]);
  }
  const std::string prefix = absl::StrCat(state_dir_, "/balancers/", launch.id);
  if (GetParam() == v1::BALANCER_KIND_HAPROXY) {
    EXPECT_THAT(
        os::Env::Default()->ReadFileTail(prefix + "/haproxy.log", 100000),
        HasSubstr("Server targets/t1 is DOWN"));
  } else {
    EXPECT_THAT(os::Env::Default()->ReadFileTail(prefix + "/error.log", 100000),
                HasSubstr("upstream server temporarily disabled"));
  }
}

TEST_P(BalancerKindTest, SaysItsVersion) {
  if (GetParam() == v1::BALANCER_KIND_HAPROXY) {
    absl::StatusOr<std::string> version = HaproxyBalancer(context_).Version();
    ASSERT_TRUE(version.ok()) << version.status();
    EXPECT_THAT(*version, ::testing::MatchesRegex("2\\.[0-9]+\\.[0-9]+.*"));
  } else {
    absl::StatusOr<std::string> version = NginxBalancer(context_).Version();
    ASSERT_TRUE(version.ok()) << version.status();
    EXPECT_THAT(*version, ::testing::MatchesRegex("1\\.[0-9]+\\.[0-9]+.*"));
  }
}

TEST_P(BalancerKindTest, ASecondStartOfTheSameIdIsRefused) {
  ASSERT_NO_FATAL_FAILURE(StartTargets());
  std::unique_ptr<Balancer> balancer = MakeBalancer(GetParam(), context_);
  ASSERT_TRUE(balancer->Start(Launch(RoundRobin())).ok());
  EXPECT_EQ(balancer->Start(Launch(RoundRobin())).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// A crashed worker's balancer is removed by the same kind's Recover; the
// other kind's Recover and another owner's leave it alone.
TEST_P(BalancerKindTest, RecoverRemovesWhatACrashedWorkerLeft) {
  ASSERT_NO_FATAL_FAILURE(StartTargets());
  const BalancerLaunch launch = Launch(RoundRobin());
  {
    std::unique_ptr<Balancer> crashed = MakeBalancer(GetParam(), context_);
    ASSERT_TRUE(crashed->Start(launch).ok());
  }  // No Stop.
  const pid_t pid = PidInFile(PidFile(launch.id));
  ASSERT_TRUE(Running(pid));

  const WorkerContext other = MakeContext("w1-balancer");  // Confusable.
  std::unique_ptr<Balancer> other_balancer = MakeBalancer(GetParam(), other);
  BalancerLaunch other_launch = Launch(RoundRobin());
  other_launch.id = other.owner + "-balancer";
  ASSERT_TRUE(other_balancer->Start(other_launch).ok());
  const pid_t other_pid = PidInFile(PidFile(other_launch.id));

  const v1::BalancerKind other_kind = GetParam() == v1::BALANCER_KIND_HAPROXY
                                          ? v1::BALANCER_KIND_NGINX
                                          : v1::BALANCER_KIND_HAPROXY;
  ASSERT_TRUE(MakeBalancer(other_kind, context_)->Recover().ok());
  EXPECT_TRUE(Running(pid));

  std::unique_ptr<Balancer> restarted = MakeBalancer(GetParam(), context_);
  ASSERT_TRUE(restarted->Recover().ok());
  EXPECT_FALSE(Running(pid));
  EXPECT_FALSE(std::filesystem::exists(PidFile(launch.id)));
  EXPECT_FALSE(std::filesystem::exists(
      absl::StrCat(state_dir_, "/balancers/", launch.id)));
  EXPECT_TRUE(restarted->Recover().ok());  // Idempotent.
  EXPECT_TRUE(Running(other_pid));
  EXPECT_TRUE(WaitForHttp(absl::StrCat("127.0.0.1:", other_launch.port),
                          kReadyTimeout, *Clock::Real())
                  .ok());
}

TEST_P(BalancerKindTest, LoadgenRunsThroughItWithoutErrors) {
  ASSERT_NO_FATAL_FAILURE(StartTargets());
  std::unique_ptr<Balancer> balancer = MakeBalancer(GetParam(), context_);
  const absl::Duration begin = Clock::Real()->Monotonic();
  absl::StatusOr<std::string> endpoint =
      EndpointOf(balancer->Start(Launch(RoundRobin())));
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_TRUE(WaitForHttp(*endpoint, kReadyTimeout, *Clock::Real(),
                          absl::Milliseconds(5))
                  .ok());
  RecordProperty("start_to_ready_ms", absl::StrCat(absl::ToDoubleMilliseconds(
                                          Clock::Real()->Monotonic() - begin)));
  ExpectLoadWithoutErrors(*endpoint, absl::Seconds(2), /*threads=*/1);
}

INSTANTIATE_TEST_SUITE_P(
    Both, BalancerKindTest,
    ::testing::Values(v1::BALANCER_KIND_HAPROXY, v1::BALANCER_KIND_NGINX),
    [](const ::testing::TestParamInfo<v1::BalancerKind>& i) {
      return i.param == v1::BALANCER_KIND_HAPROXY ? std::string("haproxy")
                                                  : std::string("nginx");
    });

}  // namespace
}  // namespace scalebench::worker
