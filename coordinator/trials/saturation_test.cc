#include "coordinator/trials/saturation.h"

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "coordinator/trials/fit_models.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "results/trial_rows.h"

namespace scalebench::coordinator {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

// One worker's result: its roles' cores and how busy each core was.
v1::WorkerResult Worker(std::map<std::string, std::string> pinning,
                        std::map<uint32_t, double> busy) {
  v1::WorkerResult worker;
  for (const auto& [role, cores] : pinning) {
    (*worker.mutable_environment()->mutable_pinning())[role] = cores;
  }
  for (const auto& [cpu, fraction] : busy) {
    v1::CoreBusy* core = worker.add_core_busy();
    core->set_cpu(cpu);
    core->set_busy(fraction);
  }
  return worker;
}

v1::TrialResult Trial(uint32_t number, uint32_t hosts, uint32_t instances,
                      double rate, std::vector<v1::WorkerResult> raw = {}) {
  v1::TrialResult t;
  t.mutable_key()->set_trial(
      absl::StrCat("experiments/exp-000001/trials/", number));
  t.mutable_configuration()->set_platform(v1::PLATFORM_NATIVE);
  t.mutable_configuration()->set_hosts(hosts);
  t.mutable_configuration()->set_instances(instances);
  t.mutable_configuration()->set_vcpus(1);
  t.mutable_merged()->mutable_latency()->set_sub_bucket_bits(7);
  t.set_requests_per_s(rate);
  for (v1::WorkerResult& worker : raw) *t.add_raw() = std::move(worker);
  return t;
}

v1::ModelSpec CrossHostSpec() {
  v1::ModelSpec spec;
  spec.set_fit(v1::MODEL_KIND_LINEAR);
  spec.set_x("vcpus_total");
  spec.set_y("requests_per_s");
  (*spec.mutable_train()->mutable_factors())["hosts"].add_values("1");
  (*spec.mutable_test()->mutable_factors())["hosts"].add_values("2");
  return spec;
}

// Trained on one host (x = 1..4, about 1000 req/s per vCPU); tested on two
// hosts at x = 2 (as predicted), 4 and 6 (far below). `at_four` are the
// worker results of the test trial at x = 4.
std::vector<v1::TrialResult> Results(std::vector<v1::WorkerResult> at_four) {
  return {Trial(0, 1, 1, 1010), Trial(1, 1, 2, 1990),
          Trial(2, 1, 3, 3010), Trial(3, 1, 4, 3990),
          Trial(4, 2, 2, 2000), Trial(5, 2, 4, 2500, std::move(at_four)),
          Trial(6, 2, 6, 2600)};
}

// The fit as analysis::ApplyModel leaves it: x = 2 inside its interval,
// 4 and 6 outside.
v1::ModelFit Fit() {
  v1::ModelFit fit;
  *fit.mutable_spec() = CrossHostSpec();
  v1::CrossHostTest* test = fit.mutable_cross_host();
  for (const auto& [x, measured, inside] :
       std::vector<std::tuple<double, double, bool>>{
           {6, 2600, false}, {2, 2000, true}, {4, 2500, false}}) {
    v1::PredictionCheck* p = test->add_predictions();
    p->set_x(x);
    p->set_measured(measured);
    p->set_predicted(1000 * x);
    p->set_inside(inside);
  }
  return fit;
}

std::optional<std::string> Explain(const v1::ModelFit& fit,
                                   const std::vector<v1::TrialResult>& trials) {
  absl::StatusOr<analysis::RowTable> table = results::TrialRowTable(trials);
  EXPECT_TRUE(table.ok()) << table.status();
  if (!table.ok()) return std::nullopt;
  return ExplainSaturation(fit, *table, trials);
}

TEST(ExplainSaturationTest, TheBalancersBusyCoreIsWhatRanOut) {
  // Host A balances: loadgen 0.60, balancer 0.98, targets 0.50 and 0.60.
  // Host B: loadgen 0.62, targets 0.55 and 0.55. Means: balancer 0.98,
  // load generators 0.61, targets 2.2 / 4 = 0.55, all 4.4 / 7 = 0.629.
  const std::optional<std::string> saturation = Explain(
      Fit(),
      Results({Worker({{"loadgen", "0"},
                       {"balancer", "1"},
                       {"target/0", "2"},
                       {"target/1", "3"}},
                      {{0, 0.60}, {1, 0.98}, {2, 0.50}, {3, 0.60}}),
               Worker({{"loadgen", "0"}, {"target/0", "1"}, {"target/1", "2"}},
                      {{0, 0.62}, {1, 0.55}, {2, 0.55}})}));
  EXPECT_EQ(saturation,
            "from vcpus_total = 4 (hosts = 2): the balancer's cores were 98% "
            "busy, the load generators' 61%, the targets' 55%, all cores "
            "63%: the balancer ran out");
}

TEST(ExplainSaturationTest, BusyLoadGeneratorsRanOutBeforeAnIdleBalancer) {
  // Balancer 0.70; load generators (0.95 + 0.93) / 2 = 0.94; targets 0.40;
  // all 3.38 / 5 = 0.676.
  const std::optional<std::string> saturation = Explain(
      Fit(),
      Results({Worker({{"loadgen", "0"}, {"balancer", "1"}, {"target/0", "2"}},
                      {{0, 0.95}, {1, 0.70}, {2, 0.40}}),
               Worker({{"loadgen", "0"}, {"target/0", "1"}},
                      {{0, 0.93}, {1, 0.40}})}));
  EXPECT_EQ(saturation,
            "from vcpus_total = 4 (hosts = 2): the balancer's cores were 70% "
            "busy, the load generators' 94%, the targets' 40%, all cores "
            "68%: the load generators ran out");
}

TEST(ExplainSaturationTest, EveryCoreBusyBeyondTheRolesIsTheMachine) {
  // Every role's cores 0.85, but the cores no role of this trial was
  // pinned to (shared with other work) 1.0: all cores 10.95 / 12 = 0.9125.
  const std::optional<std::string> saturation = Explain(
      Fit(),
      Results({Worker({{"loadgen", "0"},
                       {"balancer", "1"},
                       {"target/0", "2"},
                       {"target/1", "3"}},
                      {{0, 0.85},
                       {1, 0.85},
                       {2, 0.85},
                       {3, 0.85},
                       {4, 1.0},
                       {5, 1.0}}),
               Worker({{"loadgen", "0"}, {"target/0", "1"}, {"target/1", "2"}},
                      {{0, 0.85},
                       {1, 0.85},
                       {2, 0.85},
                       {3, 1.0},
                       {4, 1.0},
                       {5, 1.0}})}));
  EXPECT_EQ(saturation,
            "from vcpus_total = 4 (hosts = 2): the balancer's cores were 85% "
            "busy, the load generators' 85%, the targets' 85%, all cores "
            "91%: the machine ran out");
}

// `worker` under a CPU quota of `cpus` that was used up in `throttled` of
// `periods` periods.
v1::WorkerResult Quota(v1::WorkerResult worker, double cpus, uint64_t periods,
                       uint64_t throttled) {
  v1::CpuQuotaUsage& quota = *worker.mutable_cpu_quota();
  quota.set_cgroup("/sbtb/h1");
  quota.set_cpus(cpus);
  quota.set_periods(periods);
  quota.set_throttled_periods(throttled);
  return worker;
}

// One host's cores 0 and 1 (how busy) under a CPU quota of `cpus` that was
// used up in `throttled` of `periods` periods.
struct QuotaHost {
  double core0, core1, cpus;
  uint64_t periods, throttled;
};

// Explain of two hosts under quotas: the balancer's (the balancer on core
// 0, a load generator on core 1) and another (a load generator on core 1).
std::optional<std::string> ExplainQuotaHosts(const QuotaHost& balancers,
                                             const QuotaHost& other) {
  return Explain(
      Fit(),
      Results({Quota(Worker({{"balancer", "0"}, {"loadgen", "1"}},
                            {{0, balancers.core0}, {1, balancers.core1}}),
                     balancers.cpus, balancers.periods, balancers.throttled),
               Quota(Worker({{"loadgen", "1"}},
                            {{0, other.core0}, {1, other.core1}}),
                     other.cpus, other.periods, other.throttled)}));
}

TEST(ExplainSaturationTest, AHostSliceThrottledMostOfTheTimeIsWhatRanOut) {
  // The balancer's core looks saturated, but it is shared with the other
  // hosts' slices; what capped the balancer's host is its quota, used up
  // in 27 of 30 periods (the other host's in 25 of 30).
  const std::optional<std::string> saturation =
      ExplainQuotaHosts({0.95, 0.70, 0.67, 30, 27}, {0.94, 0.72, 0.67, 30, 25});
  EXPECT_EQ(saturation,
            "from vcpus_total = 4 (hosts = 2): the balancer's cores were 95% "
            "busy, the load generators' 71%, all cores 83%, the CPU quota "
            "(0.67 CPUs per host) was used up in 90% of the periods on the "
            "balancer's host, 83% on the others: the balancer's host's CPU "
            "quota ran out");
}

TEST(ExplainSaturationTest, AQuotaRarelyUsedUpLeavesTheVerdictToTheCores) {
  const std::optional<std::string> saturation =
      ExplainQuotaHosts({0.96, 0.50, 1.0, 40, 12}, {0.96, 0.50, 0.5, 40, 4});
  EXPECT_EQ(saturation,
            "from vcpus_total = 4 (hosts = 2): the balancer's cores were 96% "
            "busy, the load generators' 50%, all cores 73%, the CPU quota "
            "was used up in 30% of the periods on the balancer's host, 10% "
            "on the others: the balancer ran out");
}

TEST(ExplainSaturationTest, TheOtherHostsQuotaWhenTheBalancersHostHadRoom) {
  const std::optional<std::string> saturation = Explain(
      Fit(),
      Results({Quota(Worker({{"balancer", "0"}}, {{0, 0.40}}), 0.5, 40, 2),
               Quota(Worker({{"loadgen", "0"}}, {{0, 0.40}}), 0.5, 40, 30)}));
  EXPECT_EQ(saturation,
            "from vcpus_total = 4 (hosts = 2): the balancer's cores were 40% "
            "busy, the load generators' 40%, all cores 40%, the CPU quota "
            "(0.5 CPUs per host) was used up in 5% of the periods on the "
            "balancer's host, 75% on the others: the other hosts' CPU quota "
            "ran out");
}

TEST(ExplainSaturationTest, WithoutABalancerTheHostsQuota) {
  const std::optional<std::string> saturation = Explain(
      Fit(),
      Results({Quota(Worker({{"loadgen", "0"}}, {{0, 0.40}}), 2, 40, 20)}));
  EXPECT_EQ(saturation,
            "from vcpus_total = 4 (hosts = 2): the load generators' cores "
            "were 40% busy, all cores 40%, the CPU quota (2 CPUs per host) "
            "was used up in 50% of the periods: the hosts' CPU quota ran out");
}

TEST(ExplainSaturationTest, NoBusyCoresPointAwayFromTheCpus) {
  const std::optional<std::string> saturation =
      Explain(Fit(), Results({Worker({{"loadgen", "0"}, {"target/0", "1"}},
                                     {{0, 0.30}, {1, 0.20}})}));
  EXPECT_EQ(saturation,
            "from vcpus_total = 4 (hosts = 2): the load generators' cores "
            "were 30% busy, the targets' 20%, all cores 25%: none of the "
            "measured CPU resources ran out (look at the network or the "
            "service)");
}

TEST(ExplainSaturationTest, ResultsWithoutCoreUsageSaySoInsteadOfGuessing) {
  const std::optional<std::string> saturation =
      Explain(Fit(), Results({Worker({{"loadgen", "0"}}, {})}));
  ASSERT_TRUE(saturation.has_value());
  EXPECT_THAT(*saturation,
              HasSubstr("from vcpus_total = 4 (hosts = 2): CPU usage was not "
                        "measured"));
}

TEST(ExplainSaturationTest, SomeWorkersWithoutCoreUsageAreCounted) {
  const std::optional<std::string> saturation =
      Explain(Fit(), Results({Worker({{"loadgen", "0"}}, {{0, 0.5}}),
                              Worker({{"loadgen", "0"}}, {})}));
  ASSERT_TRUE(saturation.has_value());
  EXPECT_THAT(*saturation,
              HasSubstr("(1 of 2 worker results did not measure core usage)"));
}

TEST(ExplainSaturationTest, AllInsideExplainsTheLargestRelativeShortfall) {
  v1::ModelFit fit = Fit();
  for (v1::PredictionCheck& p :
       *fit.mutable_cross_host()->mutable_predictions()) {
    p.set_inside(true);
  }
  // Relative shortfalls: x = 6: 3400 / 6000 = 0.57; x = 4: 1500 / 4000 =
  // 0.375; x = 2: 0. So x = 6, whose trial has no worker results here.
  std::vector<v1::TrialResult> trials = Results({});
  *trials[6].add_raw() =
      Worker({{"loadgen", "0"}, {"target/0", "1"}}, {{0, 0.98}, {1, 0.5}});
  EXPECT_EQ(Explain(fit, trials),
            "from vcpus_total = 6 (hosts = 2): the load generators' cores "
            "were 98% busy, the targets' 50%, all cores 74%: the load "
            "generators ran out");
}

TEST(ExplainSaturationTest, NothingToExplainWithoutACrossHostTest) {
  v1::ModelFit fit;
  *fit.mutable_spec() = CrossHostSpec();
  fit.mutable_spec()->clear_train();
  fit.mutable_spec()->clear_test();
  EXPECT_EQ(Explain(fit, Results({})), std::nullopt);
  v1::ModelFit failed = Fit();
  failed.set_error("too few points");
  EXPECT_EQ(Explain(failed, Results({})), std::nullopt);
}

TEST(ExplainSaturationTest, FitSpecModelsCarriesTheExplanation) {
  v1::ExperimentSpec spec;
  *spec.add_models() = CrossHostSpec();
  v1::ModelSpec plain = CrossHostSpec();
  plain.clear_train();
  plain.clear_test();
  *spec.add_models() = plain;
  const std::vector<v1::ModelFit> fits =
      FitSpecModels(spec, Results({Worker({{"loadgen", "0"}, {"balancer", "1"}},
                                          {{0, 0.5}, {1, 0.96}})}));
  ASSERT_THAT(fits, SizeIs(2));
  ASSERT_EQ(fits[0].error(), "");
  ASSERT_TRUE(fits[0].has_cross_host());
  // x = 4 is the smallest test x outside its interval.
  EXPECT_EQ(fits[0].cross_host().saturation(),
            "from vcpus_total = 4 (hosts = 2): the balancer's cores were 96% "
            "busy, the load generators' 50%, all cores 73%: the balancer ran "
            "out");
  EXPECT_FALSE(fits[1].has_cross_host());
}

}  // namespace
}  // namespace scalebench::coordinator
