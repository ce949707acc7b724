#include "spec/grid.h"

#include <google/protobuf/text_format.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/durations.h"

namespace scalebench::spec {
namespace {

using ::testing::ElementsAre;

v1::ExperimentSpec FromText(const char* text) {
  v1::ExperimentSpec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &spec));
  return spec;
}

std::vector<std::string> Describe(const std::vector<v1::Configuration>& grid) {
  std::vector<std::string> lines;
  for (const v1::Configuration& c : grid) {
    lines.push_back(DescribeConfiguration(c));
  }
  return lines;
}

TEST(ExpandGridTest, AnEmptySweepIsOneConfigurationOfDefaults) {
  const std::vector<v1::Configuration> grid =
      ExpandGrid(FromText(R"pb(loadgen { duration { seconds: 1 } })pb"));
  ASSERT_EQ(grid.size(), 1u);
  EXPECT_EQ(grid[0].index(), 0u);
  EXPECT_EQ(DescribeConfiguration(grid[0]),
            "platform=native instances=1 balancer=none hosts=1 vcpus=1 "
            "keepalive=true connections=100");
}

TEST(ExpandGridTest, EmptyFactorsTakeTheTargetAndLoadSettings) {
  const std::vector<v1::Configuration> grid = ExpandGrid(FromText(R"pb(
    target { vcpus: 2 }
    loadgen { connections: 7 keepalive: false }
  )pb"));
  ASSERT_EQ(grid.size(), 1u);
  EXPECT_EQ(grid[0].vcpus(), 2u);
  EXPECT_EQ(grid[0].connections(), 7u);
  EXPECT_FALSE(grid[0].keepalive());
}

TEST(ExpandGridTest, IsRowMajorInSweepFieldOrder) {
  const v1::ExperimentSpec spec = FromText(R"pb(
    sweep {
      platform: [ PLATFORM_DOCKER, PLATFORM_NATIVE ]
      instances: [ 2, 1 ]
      balancer: [ BALANCER_KIND_HAPROXY ]
      connections: [ 10, 20 ]
    }
  )pb");
  const std::vector<v1::Configuration> grid = ExpandGrid(spec);
  EXPECT_THAT(
      Describe(grid),
      ElementsAre(
          "platform=docker instances=2 balancer=haproxy algorithm=roundrobin "
          "hosts=1 vcpus=1 keepalive=true connections=10",
          "platform=docker instances=2 balancer=haproxy algorithm=roundrobin "
          "hosts=1 vcpus=1 keepalive=true connections=20",
          "platform=docker instances=1 balancer=haproxy algorithm=roundrobin "
          "hosts=1 vcpus=1 keepalive=true connections=10",
          "platform=docker instances=1 balancer=haproxy algorithm=roundrobin "
          "hosts=1 vcpus=1 keepalive=true connections=20",
          "platform=native instances=2 balancer=haproxy algorithm=roundrobin "
          "hosts=1 vcpus=1 keepalive=true connections=10",
          "platform=native instances=2 balancer=haproxy algorithm=roundrobin "
          "hosts=1 vcpus=1 keepalive=true connections=20",
          "platform=native instances=1 balancer=haproxy algorithm=roundrobin "
          "hosts=1 vcpus=1 keepalive=true connections=10",
          "platform=native instances=1 balancer=haproxy algorithm=roundrobin "
          "hosts=1 vcpus=1 keepalive=true connections=20"));
  for (size_t i = 0; i < grid.size(); ++i) EXPECT_EQ(grid[i].index(), i);
}

TEST(ExpandGridTest, NoBalancerCollapsesAlgorithmAndHealthChecks) {
  const v1::ExperimentSpec spec = FromText(R"pb(
    sweep {
      instances: [ 1, 2 ]
      balancer: [ BALANCER_KIND_NONE, BALANCER_KIND_NGINX ]
      algorithm: [ BALANCER_ALGORITHM_ROUNDROBIN, BALANCER_ALGORITHM_SOURCE ]
      health_check_interval { seconds: 0 }
      health_check_interval { seconds: 2 }
    }
  )pb");
  const std::vector<v1::Configuration> grid = ExpandGrid(spec);
  // Per instance level: 1 without a balancer + 2 algorithms x 2 intervals.
  ASSERT_EQ(grid.size(), 10u);
  EXPECT_EQ(CountConfigurations(spec), 10u);
  EXPECT_EQ(grid[0].algorithm(), v1::BALANCER_ALGORITHM_UNSPECIFIED);
  const std::vector<std::string> lines = Describe(grid);
  EXPECT_THAT(
      std::vector<std::string>(lines.begin(), lines.begin() + 5),
      ElementsAre(
          "platform=native instances=1 balancer=none hosts=1 vcpus=1 "
          "keepalive=true connections=100",
          "platform=native instances=1 balancer=nginx algorithm=roundrobin "
          "hosts=1 vcpus=1 keepalive=true connections=100",
          "platform=native instances=1 balancer=nginx algorithm=roundrobin "
          "hosts=1 vcpus=1 keepalive=true health_check_interval=2s "
          "connections=100",
          "platform=native instances=1 balancer=nginx algorithm=source "
          "hosts=1 vcpus=1 keepalive=true connections=100",
          "platform=native instances=1 balancer=nginx algorithm=source "
          "hosts=1 vcpus=1 keepalive=true health_check_interval=2s "
          "connections=100"));
}

TEST(ExpandGridTest, CountMatchesTheExpansion) {
  const v1::ExperimentSpec spec = FromText(R"pb(
    sweep {
      platform: [ PLATFORM_NATIVE, PLATFORM_DOCKER, PLATFORM_QEMU ]
      instances: [ 1, 2, 3, 4, 5, 6, 8 ]
      balancer: [
        BALANCER_KIND_NONE,
        BALANCER_KIND_HAPROXY,
        BALANCER_KIND_NGINX
      ]
      algorithm: [ BALANCER_ALGORITHM_ROUNDROBIN, BALANCER_ALGORITHM_LEASTCONN ]
      keepalive: [ true, false ]
    }
  )pb");
  // 3 platforms x 7 instances x (1 + 2 x 2) balancer levels x 2 keepalive.
  EXPECT_EQ(ExpandGrid(spec).size(), 210u);
  EXPECT_EQ(CountConfigurations(spec), 210u);
}

TEST(ExpandGridTest, LeavesOutFewerInstancesThanHosts) {
  const v1::ExperimentSpec spec = FromText(R"pb(
    sweep {
      instances: [ 1, 2, 3 ]
      hosts: [ 1, 2, 3 ]
    }
  )pb");
  // (1,1) (2,1) (2,2) (3,1) (3,2) (3,3): 6 of the 9 pairs.
  const std::vector<v1::Configuration> grid = ExpandGrid(spec);
  ASSERT_EQ(grid.size(), 6u);
  EXPECT_EQ(CountConfigurations(spec), 6u);
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  for (const v1::Configuration& c : grid) {
    pairs.emplace_back(c.instances(), c.hosts());
  }
  EXPECT_THAT(pairs,
              ::testing::ElementsAre(std::pair<uint32_t, uint32_t>{1, 1},
                                     std::pair<uint32_t, uint32_t>{2, 1},
                                     std::pair<uint32_t, uint32_t>{2, 2},
                                     std::pair<uint32_t, uint32_t>{3, 1},
                                     std::pair<uint32_t, uint32_t>{3, 2},
                                     std::pair<uint32_t, uint32_t>{3, 3}));
  EXPECT_EQ(grid.back().index(), 5u);
}

TEST(DescribeConfigurationTest, SpellsFactorsAsTheYamlDoes) {
  v1::Configuration c;
  c.set_platform(v1::PLATFORM_NATIVE);
  c.set_instances(2);
  c.set_balancer(v1::BALANCER_KIND_HAPROXY);
  c.set_algorithm(v1::BALANCER_ALGORITHM_ROUNDROBIN);
  c.set_hosts(1);
  c.set_vcpus(1);
  c.set_keepalive(true);
  c.set_connections(100);
  EXPECT_EQ(DescribeConfiguration(c),
            "platform=native instances=2 balancer=haproxy "
            "algorithm=roundrobin hosts=1 vcpus=1 keepalive=true "
            "connections=100");
  *c.mutable_health_check_interval() = ToProto(absl::Milliseconds(1500));
  c.set_keepalive(false);
  EXPECT_EQ(DescribeConfiguration(c),
            "platform=native instances=2 balancer=haproxy "
            "algorithm=roundrobin hosts=1 vcpus=1 keepalive=false "
            "health_check_interval=1.5s connections=100");
}

}  // namespace
}  // namespace scalebench::spec
