#include "coordinator/trials/placement.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "coordinator/trials/placement_test_hosts.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(PlacementTest, OneHostPlaysEveryRole) {
  const std::vector<CandidateHost> hosts = {
      Host("a", {v1::PLATFORM_NATIVE}, {v1::BALANCER_KIND_HAPROXY})};
  absl::StatusOr<Placement> p = PlaceTrial(
      Config(3, 1, v1::BALANCER_KIND_HAPROXY), kBesideTargets, hosts, {});
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->hosts.size(), 1u);
  EXPECT_EQ(p->hosts[0].targets, 3u);
  EXPECT_TRUE(p->hosts[0].balancer);
  EXPECT_TRUE(p->hosts[0].loadgen);
  EXPECT_THAT(p->Roles(),
              UnorderedElementsAre(Pair("target/0", "a"), Pair("balancer", "a"),
                                   Pair("loadgen/0", "a")));
}

TEST(PlacementTest, InstancesSpreadOverTheHostsAndTheFirstBalances) {
  const std::vector<CandidateHost> hosts = {
      Host("a", {v1::PLATFORM_NATIVE}, {}),
      Host("b", {v1::PLATFORM_NATIVE}, {}),
      Host("c", {v1::PLATFORM_NATIVE}, {v1::BALANCER_KIND_NGINX})};
  // 5 instances over 2 hosts: 3 and 2. Only c runs nginx, so c comes
  // first; every host generates load (against the balancer).
  absl::StatusOr<Placement> p = PlaceTrial(
      Config(5, 2, v1::BALANCER_KIND_NGINX), kBesideTargets, hosts, {});
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->hosts.size(), 2u);
  EXPECT_EQ(p->hosts[0].worker_id, "c");
  EXPECT_EQ(p->hosts[0].targets, 3u);
  EXPECT_TRUE(p->hosts[0].balancer);
  EXPECT_EQ(p->hosts[1].worker_id, "a");
  EXPECT_EQ(p->hosts[1].targets, 2u);
  EXPECT_FALSE(p->hosts[1].balancer);
  EXPECT_TRUE(p->hosts[0].loadgen && p->hosts[1].loadgen);
  EXPECT_EQ(p->BalancerHost()->worker_id, "c");
  EXPECT_THAT(p->Roles(), UnorderedElementsAre(
                              Pair("target/0", "c"), Pair("target/1", "a"),
                              Pair("balancer", "c"), Pair("loadgen/0", "c"),
                              Pair("loadgen/1", "a")));
  EXPECT_EQ(HostsNeeded(Config(5, 2, v1::BALANCER_KIND_NGINX), kBesideTargets),
            2u);
}

TEST(PlacementTest, WithoutABalancerEveryTargetHostGeneratesLoad) {
  const std::vector<CandidateHost> hosts = {
      Host("a", {v1::PLATFORM_DOCKER}, {}),
      Host("b", {v1::PLATFORM_DOCKER}, {})};
  absl::StatusOr<Placement> p =
      PlaceTrial(Config(2, 2, v1::BALANCER_KIND_NONE, v1::PLATFORM_DOCKER),
                 kBesideTargets, hosts, {});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->Roles(), UnorderedElementsAre(
                              Pair("target/0", "a"), Pair("target/1", "b"),
                              Pair("loadgen/0", "a"), Pair("loadgen/1", "b")));
  EXPECT_EQ(p->BalancerHost(), nullptr);
}

TEST(PlacementTest, OnlyHostsWhoseFactsFit) {
  const std::vector<CandidateHost> hosts = {
      Host("native-only", {v1::PLATFORM_NATIVE}, {v1::BALANCER_KIND_HAPROXY}),
      Host("qemu", {v1::PLATFORM_QEMU}, {})};
  absl::StatusOr<Placement> p =
      PlaceTrial(Config(1, 1, v1::BALANCER_KIND_NONE, v1::PLATFORM_QEMU),
                 kBesideTargets, hosts, {});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->hosts[0].worker_id, "qemu");
  // qemu with haproxy on one host: no host offers both.
  absl::StatusOr<Placement> none =
      PlaceTrial(Config(1, 1, v1::BALANCER_KIND_HAPROXY, v1::PLATFORM_QEMU),
                 kBesideTargets, hosts, {});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(none.status().message(),
              HasSubstr("needs 1 free hosts: 1 that run qemu, the first also "
                        "haproxy"));
}

TEST(PlacementTest, ARetryPrefersHostsThatDidNotFail) {
  const std::vector<CandidateHost> hosts = {
      Host("a", {v1::PLATFORM_NATIVE}, {}),
      Host("b", {v1::PLATFORM_NATIVE}, {})};
  absl::StatusOr<Placement> p = PlaceTrial(Config(1, 1, v1::BALANCER_KIND_NONE),
                                           kBesideTargets, hosts, {"a"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->hosts[0].worker_id, "b");
  // With nothing else free, the failed host is better than waiting.
  absl::StatusOr<Placement> only = PlaceTrial(
      Config(1, 1, v1::BALANCER_KIND_NONE), kBesideTargets, {hosts[0]}, {"a"});
  ASSERT_TRUE(only.ok());
  EXPECT_EQ(only->hosts[0].worker_id, "a");
}

TEST(PlacementTest, TooFewHostsOrInstances) {
  const std::vector<CandidateHost> hosts = {
      Host("a", {v1::PLATFORM_NATIVE}, {v1::BALANCER_KIND_HAPROXY}),
      Host("b", {v1::PLATFORM_NATIVE}, {v1::BALANCER_KIND_HAPROXY})};
  absl::StatusOr<Placement> p = PlaceTrial(
      Config(3, 3, v1::BALANCER_KIND_HAPROXY), kBesideTargets, hosts, {});
  EXPECT_EQ(p.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(p.status().message(),
              HasSubstr("needs 3 free hosts: 3 that run native, the first "
                        "also haproxy; 2 found"));
  absl::StatusOr<Placement> q = PlaceTrial(Config(1, 2, v1::BALANCER_KIND_NONE),
                                           kBesideTargets, hosts, {});
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(q.status().message(), HasSubstr("1 instances on 2 hosts"));
}

TEST(PlacementTest, ABalancerOnItsOwnHostRunsNothingElseThere) {
  const std::vector<CandidateHost> hosts = {
      Host("a", {v1::PLATFORM_NATIVE}, {}),
      Host("b", {v1::PLATFORM_NATIVE}, {}),
      Host("c", {}, {v1::BALANCER_KIND_HAPROXY})};
  absl::StatusOr<Placement> p =
      PlaceTrial(Config(3, 2, v1::BALANCER_KIND_HAPROXY), kOwnHost, hosts, {});
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->hosts.size(), 3u);
  // Target hosts first, in order, each generating load; then the balancer.
  EXPECT_EQ(p->hosts[0].worker_id, "a");
  EXPECT_EQ(p->hosts[0].targets, 2u);
  EXPECT_FALSE(p->hosts[0].balancer);
  EXPECT_EQ(p->hosts[1].worker_id, "b");
  EXPECT_EQ(p->hosts[1].targets, 1u);
  EXPECT_EQ(p->hosts[2].worker_id, "c");
  EXPECT_EQ(p->hosts[2].targets, 0u);
  EXPECT_EQ(p->hosts[2].target_host, -1);
  EXPECT_TRUE(p->hosts[2].balancer);
  EXPECT_FALSE(p->hosts[2].loadgen);
  EXPECT_EQ(p->BalancerHost()->worker_id, "c");
  EXPECT_THAT(p->Roles(), UnorderedElementsAre(
                              Pair("target/0", "a"), Pair("target/1", "b"),
                              Pair("balancer", "c"), Pair("loadgen/0", "a"),
                              Pair("loadgen/1", "b")));
  EXPECT_EQ(HostsNeeded(Config(3, 2, v1::BALANCER_KIND_HAPROXY), kOwnHost), 3u);
  // Without a balancer there is nothing to give a host of its own.
  EXPECT_EQ(HostsNeeded(Config(3, 2, v1::BALANCER_KIND_NONE), kOwnHost), 2u);
}

TEST(PlacementTest, ABalancerOfItsOwnNeedsOneHostMore) {
  const std::vector<CandidateHost> hosts = {
      Host("a", {v1::PLATFORM_NATIVE}, {v1::BALANCER_KIND_HAPROXY}),
      Host("b", {v1::PLATFORM_NATIVE}, {v1::BALANCER_KIND_HAPROXY})};
  absl::StatusOr<Placement> p =
      PlaceTrial(Config(2, 2, v1::BALANCER_KIND_HAPROXY), kOwnHost, hosts, {});
  EXPECT_EQ(p.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(p.status().message(),
              HasSubstr("needs 3 free hosts: 2 that run native and one more "
                        "that runs haproxy; 2 found"));
}

TEST(PlacementTest, AUnikernelGoesToAHostOfItsHypervisor) {
  // Both list unikernel (each runs one of the hypervisors); only b runs xen.
  const std::vector<CandidateHost> hosts = {
      Host("a", {v1::PLATFORM_QEMU, v1::PLATFORM_UNIKERNEL}, {}),
      Host("b", {v1::PLATFORM_XEN, v1::PLATFORM_UNIKERNEL}, {})};
  const v1::Configuration unikernel =
      Config(1, 1, v1::BALANCER_KIND_NONE, v1::PLATFORM_UNIKERNEL);
  PlacementRules on_xen;
  on_xen.unikernel_hypervisor = "xen";
  absl::StatusOr<Placement> p = PlaceTrial(unikernel, on_xen, hosts, {});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->hosts[0].worker_id, "b");
  PlacementRules on_qemu;
  on_qemu.unikernel_hypervisor = "qemu";
  p = PlaceTrial(unikernel, on_qemu, hosts, {});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->hosts[0].worker_id, "a");
  absl::StatusOr<Placement> none =
      PlaceTrial(unikernel, on_xen, {hosts[0]}, {});
  EXPECT_THAT(none.status().message(),
              HasSubstr("needs 1 free hosts: 1 that run unikernel on xen; 0 "
                        "found"));
}

// A worker's reasons are its own text: they are echoed clipped, on one
// line, and only so many of them.
TEST(PlacementTest, CheckPlaceableOnBoundsWhatWorkersSay) {
  std::vector<CandidateHost> hosts;
  for (int i = 0; i < 20; ++i) {
    CandidateHost host = Host(absl::StrCat("h", i), {v1::PLATFORM_NATIVE}, {});
    v1::Unavailable* xen = host.facts.add_unavailable();
    xen->set_platform(v1::PLATFORM_XEN);
    xen->set_reason(std::string(100000, 'x') + "\nsecond line");
    hosts.push_back(std::move(host));
  }
  const absl::Status needs_xen =
      CheckPlaceableOn(Config(1, 1, v1::BALANCER_KIND_NONE, v1::PLATFORM_XEN),
                       kBesideTargets, hosts);
  EXPECT_LT(needs_xen.message().size(), 4000u);
  EXPECT_THAT(needs_xen.message(), HasSubstr("and 12 more"));
  EXPECT_THAT(needs_xen.message(), Not(HasSubstr("\n")));
}

// What a configuration waits for names what the hosts lack of what it
// needs, and only that.
TEST(PlacementTest, CheckPlaceableOnNamesWhatTheHostsSaidTheyLack) {
  EXPECT_THAT(
      CheckPlaceableOn(Config(1, 1, v1::BALANCER_KIND_NONE), kBesideTargets, {})
          .message(),
      HasSubstr("no worker is synchronizing"));
  CandidateHost a = Host("a", {v1::PLATFORM_NATIVE}, {});
  v1::Unavailable* xen = a.facts.add_unavailable();
  xen->set_platform(v1::PLATFORM_XEN);
  xen->set_reason("xl: not found");
  v1::Unavailable* haproxy = a.facts.add_unavailable();
  haproxy->set_balancer(v1::BALANCER_KIND_HAPROXY);
  haproxy->set_reason("haproxy: not found");
  const std::vector<CandidateHost> hosts = {a};

  EXPECT_TRUE(CheckPlaceableOn(Config(2, 1, v1::BALANCER_KIND_NONE),
                               kBesideTargets, hosts)
                  .ok());
  const absl::Status needs_xen =
      CheckPlaceableOn(Config(1, 1, v1::BALANCER_KIND_NONE, v1::PLATFORM_XEN),
                       kBesideTargets, hosts);
  EXPECT_EQ(needs_xen.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(needs_xen.message(), HasSubstr("that run xen"));
  EXPECT_THAT(needs_xen.message(), HasSubstr("a: platform xen: xl: not found"));
  EXPECT_THAT(needs_xen.message(), Not(HasSubstr("haproxy")));

  const absl::Status needs_haproxy = CheckPlaceableOn(
      Config(1, 1, v1::BALANCER_KIND_HAPROXY), kBesideTargets, hosts);
  EXPECT_THAT(needs_haproxy.message(),
              HasSubstr("a: balancer haproxy: haproxy: not found"));
  EXPECT_THAT(needs_haproxy.message(), Not(HasSubstr("xl")));

  // A unikernel on xen needs the xen platform too.
  const PlacementRules on_xen{v1::BALANCER_PLACEMENT_TARGET_HOST, "xen"};
  EXPECT_THAT(CheckPlaceableOn(
                  Config(1, 1, v1::BALANCER_KIND_NONE, v1::PLATFORM_UNIKERNEL),
                  on_xen, hosts)
                  .message(),
              HasSubstr("a: platform xen: xl: not found"));
}

v1::Configuration Indexed(v1::Configuration c, uint32_t index) {
  c.set_index(index);
  return c;
}

// What submit refuses: each configuration the registered workers could
// never run, named with what is missing and which workers there are.
TEST(PlacementTest, UnplaceableConfigurationsNamesEachAndTheWorkers) {
  const std::vector<CandidateHost> hosts = {
      Host("h1", {v1::PLATFORM_NATIVE}, {v1::BALANCER_KIND_HAPROXY}),
      Host("h2", {v1::PLATFORM_NATIVE}, {v1::BALANCER_KIND_HAPROXY})};
  const std::vector<v1::Configuration> grid = {
      Indexed(Config(2, 1, v1::BALANCER_KIND_HAPROXY), 0),
      Indexed(Config(2, 2, v1::BALANCER_KIND_HAPROXY), 1),
      Indexed(Config(1, 1, v1::BALANCER_KIND_NONE, v1::PLATFORM_DOCKER), 2),
      // Fewer instances than hosts: fails on its own, not said here.
      Indexed(Config(1, 3, v1::BALANCER_KIND_NONE), 3)};

  EXPECT_THAT(
      UnplaceableConfigurations(grid, kOwnHost, hosts),
      ElementsAre(AllOf(HasSubstr("configuration 1 ("),
                        HasSubstr("needs 3 free hosts: 2 that run native and "
                                  "one more that runs haproxy; 2 found"),
                        HasSubstr("(2 workers synchronizing: h1, h2)")),
                  AllOf(HasSubstr("configuration 2 ("),
                        HasSubstr("that run docker; 0 found"))));
  // With the balancer beside the targets two hosts are enough.
  EXPECT_THAT(UnplaceableConfigurations(grid, kBesideTargets, hosts),
              ElementsAre(HasSubstr("configuration 2 (")));
  // No worker at all: one line, not one per configuration.
  EXPECT_THAT(UnplaceableConfigurations(grid, kBesideTargets, {}),
              ElementsAre(HasSubstr("no worker is synchronizing")));
  EXPECT_THAT(UnplaceableConfigurations({grid[0]}, kOwnHost, hosts), IsEmpty());

  // A large grid no worker can run: ten lines and a count, not one each.
  std::vector<v1::Configuration> docker;
  for (uint32_t i = 0; i < 25; ++i) {
    docker.push_back(
        Indexed(Config(1, 1, v1::BALANCER_KIND_NONE, v1::PLATFORM_DOCKER), i));
  }
  const std::vector<std::string> lines =
      UnplaceableConfigurations(docker, kBesideTargets, hosts);
  ASSERT_EQ(lines.size(), 11u);
  EXPECT_THAT(lines[9], HasSubstr("configuration 9 ("));
  EXPECT_EQ(lines[10], "and 15 more configurations");
}

}  // namespace
}  // namespace scalebench::coordinator
