// `scalebench compare` against a real CoordinatorService whose store holds
// two experiments of the same spec with known results.
#include "cli/compare_command.h"

#include <sstream>
#include <string>
#include <vector>

#include "api/resource_names.h"
#include "api/result_columns.h"
#include "cli/remote_fixture.h"
#include "common/exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace scalebench::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSixRuns = SpecYaml(6, "[1]");

// Throughputs around 1000 requests/s, interleaved so that neither sample
// is systematically higher.
constexpr double kBaseline[] = {1000, 1012, 995, 1004, 990, 1008};
constexpr double kSame[] = {1003, 992, 1010, 998, 1006, 994};

class CompareCommandTest : public RemoteCommandsTest {
 protected:
  void SetUp() override {
    RemoteCommandsTest::SetUp();
    spec_path_ = WriteFile("six.yaml", kSixRuns);
  }

  // Submits the spec again: the next experiment, exp-00000N.
  void SubmitAnother() {
    JoinWorker();
    ASSERT_EQ(Run({"submit", spec_path_}), kExitOk) << err_.str();
  }

  // Trial `n` of `experiment` succeeded with `requests_per_s`.
  void StoreResult(const std::string& experiment, int n,
                   double requests_per_s) {
    v1::TrialResult result = StartResult(experiment, n);
    v1::LatencyHistogram* h = result.mutable_merged()->mutable_latency();
    h->set_sub_bucket_bits(7);
    h->set_highest_trackable_ns(1'000'000);
    h->add_bucket_index(100);
    h->add_bucket_count(10);
    h->set_count(10);
    h->set_sum_ns(1000);
    h->set_min_ns(100);
    h->set_max_ns(100);
    result.mutable_merged()->set_requests(
        static_cast<uint64_t>(requests_per_s));
    result.set_requests_per_s(requests_per_s);
    result.set_transfer_kb_per_s(requests_per_s / 4);
    FinishResult(result);
  }

  // exp-000001 measured kBaseline; exp-000002 `contender` (first `runs`
  // of each); both have ended unless `contender_running`.
  void TwoExperiments(const double* contender, int runs = 6,
                      bool contender_running = false) {
    Submit();
    SubmitAnother();
    for (int i = 0; i < runs; ++i) {
      StoreResult("exp-000001", i, kBaseline[i]);
      StoreResult("exp-000002", i, contender[i]);
    }
    for (const char* id : {"exp-000001", "exp-000002"}) {
      if (contender_running && std::string(id) == "exp-000002") {
        ASSERT_TRUE(
            store_->experiments()
                .SetExperimentState(id, v1::EXPERIMENT_STATE_RUNNING, "")
                .ok());
        continue;
      }
      ASSERT_TRUE(
          store_->experiments()
              .SetExperimentState(id, v1::EXPERIMENT_STATE_SUCCEEDED, "")
              .ok());
    }
  }
};

TEST_F(CompareCommandTest, SameMeasurementsAreNoChangeAndExitZero) {
  TwoExperiments(kSame);
  ASSERT_EQ(Run({"compare", "exp-000001", "experiments/exp-000002"}), kExitOk)
      << err_.str();
  const std::string text = out_.str();
  EXPECT_THAT(text, HasSubstr("metric requests_per_s (higher is better)"));
  EXPECT_THAT(text, HasSubstr("CHANGE [95% INTERVAL]"));
  EXPECT_THAT(text, HasSubstr("platform=native instances=1"));
  EXPECT_THAT(text, HasSubstr("6/6"));
  EXPECT_THAT(text, HasSubstr("no_change"));
  EXPECT_THAT(text, Not(HasSubstr("warning")));
  EXPECT_THAT(text,
              HasSubstr("summary: 0 regression, 0 improvement, 1 no_change "
                        "of 1 configuration\n"));
}

TEST_F(CompareCommandTest, SlowerContenderIsARegressionAndExitsOne) {
  double slower[6];
  for (int i = 0; i < 6; ++i) slower[i] = 0.8 * kSame[i];
  TwoExperiments(slower);
  ASSERT_EQ(Run({"compare", "exp-000001", "exp-000002"}), kExitRunFailed)
      << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("regression"));
  EXPECT_THAT(out_.str(), HasSubstr("summary: 1 regression"));

  ASSERT_EQ(Run({"compare", "exp-000001", "exp-000002", "--output", "json"}),
            kExitRunFailed)
      << err_.str();
  const nlohmann::json doc = nlohmann::json::parse(out_.str());
  EXPECT_EQ(doc["baseline"], "experiments/exp-000001");
  EXPECT_EQ(doc["metric"], "requests_per_s");
  EXPECT_EQ(doc["threshold"], 0.03);
  ASSERT_EQ(doc["configurations"].size(), 1u);
  const nlohmann::json& c = doc["configurations"][0];
  EXPECT_EQ(c["verdict"], "regression");
  EXPECT_EQ(c["factors"]["instances"], "1");
  EXPECT_EQ(c["baseline"]["n"], 6);
  EXPECT_EQ(c["baseline"]["median"], 1002);
  // Every contender run is below every baseline run: exact p = 2 / 924.
  EXPECT_NEAR(c["p_value"].get<double>(), 2.0 / 924, 1e-12);
  EXPECT_NEAR(c["holm_p"].get<double>(), 2.0 / 924, 1e-12);
  EXPECT_EQ(c["probability_of_superiority"], 0);
  EXPECT_NEAR(c["change"]["estimate"].get<double>(), -0.2, 0.02);
  EXPECT_LT(c["change"]["ci"]["low"].get<double>(),
            c["change"]["ci"]["high"].get<double>());
  EXPECT_LT(c["change"]["ci"]["high"].get<double>(), -0.15);
  EXPECT_EQ(doc["summary"]["regression"], 1);
  EXPECT_EQ(doc["summary"]["no_change"], 0);
  EXPECT_TRUE(doc["only_baseline"].empty());

  // Within a 25% threshold the same drop is no change.
  EXPECT_EQ(Run({"compare", "exp-000001", "exp-000002", "--threshold", "25%"}),
            kExitOk)
      << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("no_change"));
  // And for a lower-is-better metric that did not move, nothing either.
  EXPECT_EQ(Run({"compare", "exp-000001", "exp-000002", "--metric",
                 "latency_p50_us"}),
            kExitOk)
      << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("(lower is better)"));
}

TEST_F(CompareCommandTest, FasterContenderIsAnImprovement) {
  double faster[6];
  for (int i = 0; i < 6; ++i) faster[i] = 1.1 * kSame[i];
  TwoExperiments(faster);
  EXPECT_EQ(Run({"compare", "exp-000001", "exp-000002"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("improvement"));
  EXPECT_THAT(out_.str(), HasSubstr("summary: 0 regression, 1 improvement"));
}

TEST_F(CompareCommandTest, ThreeRunsEachWarnThatNothingCanBeSignificant) {
  double slower[6];
  for (int i = 0; i < 6; ++i) slower[i] = 0.5 * kSame[i];
  TwoExperiments(slower, 3);
  EXPECT_EQ(Run({"compare", "exp-000001", "exp-000002"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("[no 95% interval]"));
  EXPECT_THAT(out_.str(),
              HasSubstr("warning: with 3 and 3 runs (the configuration) no "
                        "difference can be significant at 0.05: the smallest "
                        "possible p is 0.1; use repetitions >= 4"));
}

TEST_F(CompareCommandTest, AnExperimentStillRunningIsMarkedPartial) {
  TwoExperiments(kSame, 4, /*contender_running=*/true);
  EXPECT_EQ(Run({"compare", "exp-000001", "exp-000002"}), kExitOk)
      << err_.str();
  EXPECT_THAT(out_.str(),
              HasSubstr("warning: contender experiments/exp-000002 is "
                        "running: its results are partial (4 of 6 trials "
                        "succeeded)\n"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("baseline experiments/exp-000001 is")));
  ASSERT_EQ(Run({"compare", "exp-000001", "exp-000002", "--output", "json"}),
            kExitOk);
  const nlohmann::json doc = nlohmann::json::parse(out_.str());
  ASSERT_FALSE(doc["warnings"].empty());
  EXPECT_THAT(doc["warnings"][0].get<std::string>(),
              HasSubstr("is running: its results are partial"));
}

TEST_F(CompareCommandTest, BadInputExitsTwo) {
  TwoExperiments(kSame);
  EXPECT_EQ(Run({"compare", "exp-000001", "exp-000002", "--threshold", "3"}),
            kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("--threshold: '3' is 300%"));
  EXPECT_EQ(Run({"compare", "exp-000001", "exp-000002", "--metric", "speed"}),
            kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("--metric: 'speed'"));
  EXPECT_EQ(Run({"compare", "exp-000001", "exp-000002", "--metric", "errors"}),
            kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("errors is '0', not a positive number"));
  EXPECT_EQ(Run({"compare", "exp-000001", "exp-000002", "--alpha", "1.5"}),
            kExitBadInput);
  EXPECT_EQ(Run({"compare", "exp-000001", "exp-000009"}), kExitBadInput);
  EXPECT_EQ(Run({"compare", "exp-000001", "nonsense!"}), kExitBadInput);
  EXPECT_EQ(RunOffline({"compare", "exp-000001"}), kExitBadInput);
}

TEST_F(CompareCommandTest, HelpTeachesWithAnExample) {
  EXPECT_EQ(RunOffline({"compare", "--help"}), kExitOk);
  EXPECT_THAT(out_.str(),
              HasSubstr("scalebench compare exp-000041 exp-000042"));
  EXPECT_THAT(out_.str(),
              HasSubstr("Exit status: 0 no configuration regressed"));
}

// Two configurations of 4 runs each, one 20% slower, and one the
// contender alone measured: the table shows only the factors that vary,
// the rest once above it; Holm over two needs p <= 0.025, which 4 and 4
// runs cannot reach (2 / 70), so the 20% drop is no_change.
TEST(PrintCompareTextTest, SeveralConfigurationsShowWhatVaries) {
  results::RunsComparison report;
  report.metric = "requests_per_s";
  report.threshold = 0.03;
  report.alpha = 0.05;
  const std::vector<analysis::ConfigurationSamples> samples = {
      {{100, 101, 102, 103}, {80, 81, 82, 83}},
      {{200, 202, 204, 206}, {201, 203, 205, 199}}};
  absl::StatusOr<analysis::RunComparison> compared =
      analysis::CompareRuns(samples, {});
  ASSERT_TRUE(compared.ok()) << compared.status();
  for (uint32_t i = 0; i < 3; ++i) {
    v1::Configuration c;
    c.set_index(i);
    c.set_platform(v1::PLATFORM_NATIVE);
    c.set_instances(i + 1);
    c.set_balancer(v1::BALANCER_KIND_NONE);
    c.set_hosts(1);
    c.set_vcpus(1);
    c.set_connections(10);
    if (i == 2) {
      report.only_contender.push_back({c, api::FactorCells(c), 4});
      continue;
    }
    report.configurations.push_back(
        {c, api::FactorCells(c), compared->configurations[i]});
    ++report.unchanged;
  }
  report.runs_for_significance = compared->runs_for_significance;
  std::ostringstream out;
  PrintCompareText("experiments/exp-000001", "experiments/exp-000002", report,
                   out);
  const std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("Holm over 2 configurations\n"));
  // algorithm is empty without a balancer, and left out.
  EXPECT_THAT(text, HasSubstr("common to all: platform=native balancer=none "
                              "hosts=1 vcpus=1"));
  EXPECT_THAT(text, HasSubstr("\ninstances=1 vcpus_total=1  4/4  101.5"));
  EXPECT_THAT(text, HasSubstr("\ninstances=2 vcpus_total=2  4/4  203"));
  // Each interval is the configuration's own (4 and 4 runs: 1 - 2/70).
  EXPECT_THAT(text, HasSubstr("-19.7% [-22.3%, -17.0%]  0.0571"));
  EXPECT_THAT(text, HasSubstr("only in contender experiments/exp-000002 (4 "
                              "runs): platform=native instances=3"));
  EXPECT_THAT(text,
              HasSubstr("warning: with 4 and 4 runs (every configuration) no "
                        "difference can be significant at 0.05 over 2 "
                        "configurations (Holm): the smallest possible p is "
                        "0.0286; use repetitions >= 5\n"));
  EXPECT_THAT(text, HasSubstr("summary: 0 regression, 0 improvement, 2 "
                              "no_change of 2 configurations\n"));
}

TEST(ParseThresholdTest, PercentOrFraction) {
  EXPECT_DOUBLE_EQ(*ParseThreshold("3%"), 0.03);
  EXPECT_DOUBLE_EQ(*ParseThreshold("0.03"), 0.03);
  EXPECT_DOUBLE_EQ(*ParseThreshold("0"), 0);
  EXPECT_DOUBLE_EQ(*ParseThreshold("12.5%"), 0.125);
  EXPECT_FALSE(ParseThreshold("-1%").ok());
  EXPECT_FALSE(ParseThreshold("100%").ok());
  EXPECT_FALSE(ParseThreshold("1.5").ok());
  EXPECT_FALSE(ParseThreshold("abc").ok());
  EXPECT_FALSE(ParseThreshold("%").ok());
}

}  // namespace
}  // namespace scalebench::cli
