#include "results/trial_rows.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "results/test_trials.h"

namespace scalebench::results {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Trial `number`: native, 2 instances, 30 connections, the latencies of
// testing::TenSamples(), errors of every kind.
v1::TrialResult Trial(uint32_t number) {
  v1::TrialResult t;
  t.mutable_key()->set_trial(
      absl::StrCat("experiments/exp-000001/trials/", number));
  t.mutable_key()->set_attempt(1);
  v1::Configuration* c = t.mutable_configuration();
  c->set_platform(v1::PLATFORM_NATIVE);
  c->set_instances(2);
  c->set_balancer(v1::BALANCER_KIND_NONE);
  c->set_algorithm(v1::BALANCER_ALGORITHM_ROUNDROBIN);
  c->set_hosts(1);
  c->set_vcpus(1);
  c->set_keepalive(true);
  c->set_connections(30);
  t.set_repetition(1);
  v1::LoadgenResult* m = t.mutable_merged();
  *m->mutable_latency() = testing::TenSamples();
  m->mutable_errors()->set_connect(1);
  m->mutable_errors()->set_timeout(2);
  m->mutable_errors()->set_parse(3);
  m->mutable_errors()->mutable_parse_causes()->set_chunk_syntax(3);
  m->mutable_errors()->set_status(4);
  m->mutable_start_skew()->set_nanos(-1'500'000);
  t.set_requests_per_s(1234.5);
  t.set_transfer_kb_per_s(80.25);
  return t;
}

TEST(TrialRowsTest, ColumnsAreIdFactorsRepetitionMetrics) {
  EXPECT_THAT(
      TrialRowColumns(),
      ElementsAre("trial_id", "platform", "instances", "balancer", "algorithm",
                  "hosts", "vcpus", "vcpus_total", "keepalive",
                  "health_check_interval", "connections", "repetition",
                  "requests_per_s", "transfer_kb_per_s", "latency_mean_us",
                  "latency_p50_us", "latency_p90_us", "latency_p99_us",
                  "latency_max_us", "errors", "error_rate", "start_skew_us",
                  "start_skew_uncertainty_us", "start_spread_us",
                  "observed_start_spread_us", "nested"));
}

TEST(TrialRowsTest, CellsOfAKnownResult) {
  v1::TrialResult trial = Trial(3);
  trial.mutable_merged()->mutable_start_skew_uncertainty()->set_nanos(80'000);
  trial.mutable_estimated_start_spread()->set_nanos(310'500);
  absl::StatusOr<std::vector<std::string>> cells = TrialRowCells(trial);
  ASSERT_TRUE(cells.ok()) << cells.status();
  EXPECT_THAT(*cells,
              ElementsAre("exp-000001/3", "native", "2", "none", "roundrobin",
                          "1", "1", "2", "true", "0s", "30", "1", "1234.5",
                          "80.25", "0.63", "0.1", "0.2", "5", "5", "10", "0",
                          "-1500", "80", "310.5", "", "false"));
  // Observed by the balancer's host.
  trial.mutable_observed_start_spread()->set_nanos(290'000);
  cells = TrialRowCells(trial);
  ASSERT_TRUE(cells.ok()) << cells.status();
  EXPECT_EQ((*cells)[24], "290");
}

TEST(TrialRowsTest, TableHasOneRowPerTrialWithItsOrigin) {
  absl::StatusOr<analysis::RowTable> table =
      TrialRowTable({Trial(0), Trial(7)});
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->row_count(), 2u);
  EXPECT_EQ(table->origin(0), "exp-000001/0");
  EXPECT_EQ(table->origin(1), "exp-000001/7");
  const std::optional<int> y = table->FindColumn("requests_per_s");
  ASSERT_TRUE(y.has_value());
  absl::StatusOr<double> rate = table->Number(1, *y);
  ASSERT_TRUE(rate.ok()) << rate.status();
  EXPECT_EQ(*rate, 1234.5);
}

TEST(TrialRowsTest, NamesTheTrialAndFieldThatIsWrong) {
  v1::TrialResult bad = Trial(1);
  bad.mutable_key()->set_trial("trials/1");
  absl::StatusOr<analysis::RowTable> table = TrialRowTable({Trial(0), bad});
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(table.status().message(), HasSubstr("trials[1]: key.trial: "));

  v1::TrialResult unreadable = Trial(1);
  unreadable.mutable_merged()->mutable_latency()->set_count(11);
  EXPECT_THAT(TrialRowCells(unreadable).status().message(),
              HasSubstr("merged.latency: "));
}

}  // namespace
}  // namespace scalebench::results
