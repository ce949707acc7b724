#include "api/result_columns.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::api {
namespace {

using ::testing::ElementsAre;

TEST(ResultColumnsTest, FactorCellsSpellTheConfiguration) {
  v1::Configuration c;
  c.set_platform(v1::PLATFORM_DOCKER);
  c.set_instances(3);
  c.set_balancer(v1::BALANCER_KIND_HAPROXY);
  c.set_algorithm(v1::BALANCER_ALGORITHM_LEASTCONN);
  c.set_hosts(2);
  c.set_vcpus(4);
  c.set_keepalive(true);
  c.mutable_health_check_interval()->set_seconds(2);
  c.mutable_health_check_interval()->set_nanos(500'000'000);
  c.set_connections(100);
  EXPECT_THAT(FactorCells(c),
              ElementsAre("docker", "3", "haproxy", "leastconn", "2", "4", "12",
                          "true", "2.5s", "100"));
  EXPECT_EQ(FactorCells(c).size(), FactorColumns().size());
}

TEST(ResultColumnsTest, HealthCheckIntervalsAreSpelledAsInASpec) {
  v1::Configuration c;
  c.set_keepalive(false);
  c.mutable_health_check_interval()->set_nanos(1'000'000);
  EXPECT_EQ(FactorCells(c)[7], "false");
  EXPECT_EQ(FactorCells(c)[8], "1ms");
  c.clear_health_check_interval();
  EXPECT_EQ(FactorCells(c)[8], "0s");  // Health checks off.
}

TEST(ResultColumnsTest, ModelColumnsAreNumericFactorsAndMetrics) {
  EXPECT_TRUE(IsColumn(ModelXColumns(), "vcpus_total"));
  EXPECT_FALSE(IsColumn(ModelXColumns(), "platform"));
  EXPECT_TRUE(IsColumn(ModelYColumns(), "latency_p90_us"));
  EXPECT_FALSE(IsColumn(ModelYColumns(), "instances"));
  for (const char* x : ModelXColumns()) {
    EXPECT_TRUE(IsColumn(FactorColumns(), x)) << x;
  }
}

TEST(ResultColumnsTest, OnlyThroughputsAreBetterHigher) {
  int higher = 0;
  for (const char* metric : MetricColumns()) higher += HigherIsBetter(metric);
  EXPECT_EQ(higher, 2);
  EXPECT_TRUE(HigherIsBetter("requests_per_s"));
  EXPECT_TRUE(HigherIsBetter("transfer_kb_per_s"));
  EXPECT_FALSE(HigherIsBetter("latency_p99_us"));
  EXPECT_FALSE(HigherIsBetter("errors"));
}

}  // namespace
}  // namespace scalebench::api
