#include "cli/results_table.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "cli/output.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A configuration of the quickstart's sweep: native, `instances` nginx
// behind `balancer` (roundrobin when there is one), one host, one vCPU
// each, keep-alive, 50 connections.
v1::Configuration Quickstart(int instances, v1::BalancerKind balancer) {
  v1::Configuration c;
  c.set_platform(v1::PLATFORM_NATIVE);
  c.set_instances(instances);
  c.set_balancer(balancer);
  if (balancer != v1::BALANCER_KIND_NONE) {
    c.set_algorithm(v1::BALANCER_ALGORITHM_ROUNDROBIN);
  }
  c.set_hosts(1);
  c.set_vcpus(1);
  c.set_keepalive(true);
  c.set_connections(50);
  return c;
}

ConfigurationRow Row(const v1::Configuration& c, double requests_per_s,
                     double p99_us, int n = 3) {
  ConfigurationRow row;
  row.configuration = c;
  row.n = n;
  row.requests_per_s = requests_per_s;
  row.p99_us = p99_us;
  return row;
}

// The quickstart's eight configurations with the medians of a run on a
// 2-core machine (3 trials each).
std::vector<ConfigurationRow> QuickstartRows() {
  return {Row(Quickstart(1, v1::BALANCER_KIND_NONE), 27353, 3203.07),
          Row(Quickstart(1, v1::BALANCER_KIND_HAPROXY), 15644.5, 6340.61),
          Row(Quickstart(2, v1::BALANCER_KIND_NONE), 38669.5, 3022.85),
          Row(Quickstart(2, v1::BALANCER_KIND_HAPROXY), 13740, 8011.78),
          Row(Quickstart(3, v1::BALANCER_KIND_NONE), 36748.5, 4669.44),
          Row(Quickstart(3, v1::BALANCER_KIND_HAPROXY), 16528, 6340.61),
          Row(Quickstart(4, v1::BALANCER_KIND_NONE), 34380.5, 3465.22),
          Row(Quickstart(4, v1::BALANCER_KIND_HAPROXY), 14034, 7454.72)};
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST(ConfigurationTableTest, TheQuickstartShowsOnlyWhatVariesAndFootnotesDash) {
  EXPECT_EQ(ConfigurationTable(QuickstartRows()),
            "INSTANCES  BALANCER  N  REQUESTS/S  95% INTERVAL  P99 (ms)\n"
            "1          none      3  27,353      -             3.20\n"
            "1          haproxy   3  15,644      -             6.34\n"
            "2          none      3  38,670      -             3.02\n"
            "2          haproxy   3  13,740      -             8.01\n"
            "3          none      3  36,748      -             4.67\n"
            "3          haproxy   3  16,528      -             6.34\n"
            "4          none      3  34,380      -             3.47\n"
            "4          haproxy   3  14,034      -             7.45\n"
            "common to all: platform native, algorithm roundrobin (with a "
            "balancer), hosts 1, vcpus 1,\n"
            "  keepalive true, health_check_interval off, connections 50\n"
            "- under 95% INTERVAL: fewer than 6 trials, too few for a "
            "distribution-free interval of the median\n");
}

// The table is printed as it is (never through WrapLines): its lines,
// the common line's too, keep to 100 columns by themselves.
TEST(ConfigurationTableTest, TheQuickstartFitsIn100Columns) {
  const std::string text = ConfigurationTable(QuickstartRows());
  for (const std::string& line : Lines(text)) {
    EXPECT_LE(DisplayWidth(line), kTextWidth) << line;
  }
  EXPECT_EQ(WrapLines(text), text);
}

TEST(ConfigurationTableTest, WideShowsEveryFactorAndNoCommonLine) {
  const std::string text =
      ConfigurationTable(QuickstartRows(), TableOptions{/*wide=*/true});
  const std::vector<std::string> lines = Lines(text);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "PLATFORM  INSTANCES  BALANCER  ALGORITHM   HOSTS  VCPUS  "
            "VCPUS_TOTAL  KEEPALIVE  HEALTH_CHECK_INTERVAL  CONNECTIONS  N  "
            "REQUESTS/S  95% INTERVAL  P99 (ms)");
  EXPECT_EQ(lines[1],
            "native    1          none      -           1      1      1      "
            "      true       off                    50           3  27,353  "
            "    -             3.20");
  EXPECT_THAT(text, Not(HasSubstr("common to all")));
  // The none rows' algorithm is "-", and said why.
  EXPECT_THAT(text, HasSubstr("\n- under ALGORITHM: not set (no balancer)\n"));
}

TEST(ConfigurationTableTest, OneConfigurationHasNoFactorColumns) {
  EXPECT_EQ(ConfigurationTable(
                {Row(Quickstart(2, v1::BALANCER_KIND_NONE), 48061.5, 776.192)}),
            "N  REQUESTS/S  95% INTERVAL  P99 (µs)\n"
            "3  48,062      -             776\n"
            "common to all: platform native, instances 2, balancer none, "
            "hosts 1, vcpus 1, vcpus_total 2,\n"
            "  keepalive true, health_check_interval off, connections 50\n"
            "- under 95% INTERVAL: fewer than 6 trials, too few for a "
            "distribution-free interval of the median\n");
}

TEST(ConfigurationTableTest, SixTrialsShowTheIntervalAndNoFootnote) {
  ConfigurationRow row =
      Row(Quickstart(1, v1::BALANCER_KIND_NONE), 1002.5, 5, /*n=*/6);
  row.interval = analysis::Interval{980, 1020};
  const std::string text = ConfigurationTable({row});
  EXPECT_THAT(text, HasSubstr("6  1,002       980-1,020     5\n"));
  EXPECT_THAT(text, Not(HasSubstr("- under")));
}

TEST(ConfigurationTableTest, AnAlgorithmThatVariesIsAColumnWithItsDash) {
  v1::Configuration leastconn = Quickstart(1, v1::BALANCER_KIND_HAPROXY);
  leastconn.set_algorithm(v1::BALANCER_ALGORITHM_LEASTCONN);
  const std::string text =
      ConfigurationTable({Row(Quickstart(1, v1::BALANCER_KIND_NONE), 100, 10),
                          Row(Quickstart(1, v1::BALANCER_KIND_HAPROXY), 90, 10),
                          Row(leastconn, 95, 10)});
  EXPECT_THAT(text, HasSubstr("BALANCER  ALGORITHM   N"));
  EXPECT_THAT(text, HasSubstr("none      -           3"));
  EXPECT_THAT(text, HasSubstr("haproxy   leastconn   3"));
  EXPECT_THAT(text, HasSubstr("- under ALGORITHM: not set (no balancer)\n"));
  EXPECT_THAT(text, Not(HasSubstr("algorithm roundrobin")));
}

// vcpus_total is instances x vcpus: a column only when both vary.
TEST(ConfigurationTableTest, VcpusTotalIsAColumnOnlyWhenBothFactorsVary) {
  v1::Configuration two_vcpus = Quickstart(1, v1::BALANCER_KIND_NONE);
  two_vcpus.set_vcpus(2);
  v1::Configuration two_by_two = two_vcpus;
  two_by_two.set_instances(2);
  const std::string vcpus_only =
      ConfigurationTable({Row(Quickstart(1, v1::BALANCER_KIND_NONE), 100, 10),
                          Row(two_vcpus, 190, 10)});
  EXPECT_THAT(vcpus_only, HasSubstr("VCPUS  N"));
  EXPECT_THAT(vcpus_only, Not(HasSubstr("VCPUS_TOTAL")));
  EXPECT_THAT(vcpus_only, Not(HasSubstr("vcpus_total")));
  const std::string both =
      ConfigurationTable({Row(Quickstart(1, v1::BALANCER_KIND_NONE), 100, 10),
                          Row(two_vcpus, 190, 10), Row(two_by_two, 350, 10)});
  EXPECT_THAT(both, HasSubstr("INSTANCES  VCPUS  VCPUS_TOTAL  N"));
}

TEST(ConfigurationTableTest, LatenciesShareTheUnitOfTheLargest) {
  const std::string text = ConfigurationTable(
      {Row(Quickstart(1, v1::BALANCER_KIND_NONE), 100, 840),
       Row(Quickstart(2, v1::BALANCER_KIND_NONE), 100, 1'250'000)});
  EXPECT_THAT(text, HasSubstr("P99 (s)\n"));
  EXPECT_THAT(text, HasSubstr("  0.000840\n"));
  EXPECT_THAT(text, HasSubstr("  1.25\n"));
}

TEST(ConfigurationTableTest, NoRowsNoTable) {
  EXPECT_EQ(ConfigurationTable({}), "");
}

TEST(WrapLinesTest, BreaksLongLinesAtSpacesAndIndentsTheRest) {
  EXPECT_EQ(WrapLines("short line\nanother\n", 20), "short line\nanother\n");
  EXPECT_EQ(WrapLines("one two three four five six\n", 10),
            "one two\n  three\n  four\n  five six\n");
  // A word longer than the width stays whole.
  EXPECT_EQ(WrapLines("see /a/very/long/path/name here\n", 10),
            "see\n  /a/very/long/path/name\n  here\n");
  // µs is two bytes but one column.
  EXPECT_EQ(WrapLines("max 900 µs\n", 10), "max 900 µs\n");
  EXPECT_EQ(WrapLines("", 10), "");
}

// A break after a clause (", ", "; ", ": ") in the second half of the
// line is preferred to one that parts a number from its unit.
TEST(WrapLinesTest, PrefersToBreakAfterAClause) {
  EXPECT_EQ(
      WrapLines("skew: p50 210 µs, p99 210 µs, max 210 µs; each true\n", 40),
      "skew: p50 210 µs, p99 210 µs,\n  max 210 µs; each true\n");
  // Not when the clause ends in the first half: then at the last space.
  EXPECT_EQ(WrapLines("a, bbbb cccc dddd eeee ffff\n", 20),
            "a, bbbb cccc dddd\n  eeee ffff\n");
}

TEST(DisplayWidthTest, CountsCodePoints) {
  EXPECT_EQ(DisplayWidth("P99 (µs)"), 8u);
  EXPECT_EQ(DisplayWidth("± 5"), 3u);
  EXPECT_EQ(DisplayWidth(""), 0u);
}

}  // namespace
}  // namespace scalebench::cli
