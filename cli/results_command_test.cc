// `scalebench results` and `scalebench fit --experiment` against a real
// CoordinatorService whose store holds known trial results.
#include "cli/results_command.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "api/resource_names.h"
#include "cli/output.h"
#include "cli/remote_fixture.h"
#include "common/exit_codes.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "results/test_trials.h"

namespace scalebench::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kSpecWithModel =
    SpecYaml(2, "[1, 2]",
             "models:\n  - fit: linear\n    x: instances\n"
             "    y: requests_per_s\n");

class ResultsCommandTest : public RemoteCommandsTest {
 protected:
  void SetUp() override {
    RemoteCommandsTest::SetUp();
    spec_path_ = WriteFile("models.yaml", kSpecWithModel);
  }

  // Trial `n` of exp-000001 succeeded with `requests_per_s`, from the
  // worker results `raw`. The latencies of results::testing::TenSamples():
  // mean 0.63 us, p50 0.1, p90 0.2, p99 and max 5; start skew -1.5 ms, and
  // `skew_us` the trial's largest.
  void StoreResult(int n, double requests_per_s, int skew_us = 1500,
                   std::vector<v1::WorkerResult> raw = {},
                   bool nested = false) {
    v1::TrialResult result = StartResult("exp-000001", n);
    *result.mutable_merged()->mutable_latency() =
        results::testing::TenSamples();
    result.mutable_merged()->set_requests(
        static_cast<uint64_t>(requests_per_s));
    result.mutable_merged()->mutable_start_skew()->set_nanos(-1'500'000);
    *result.mutable_max_start_skew() =
        DurationToProto(absl::Microseconds(skew_us));
    result.set_requests_per_s(requests_per_s);
    result.set_transfer_kb_per_s(50.5);
    for (v1::WorkerResult& worker : raw) *result.add_raw() = std::move(worker);
    result.set_nested(nested);
    FinishResult(result);
  }

  // Submits a spec of one configuration (10 connections, no sweep) with
  // six repetitions.
  void SubmitSixRepetitions() {
    spec_path_ = WriteFile("six.yaml",
                           "name: t\nrepetitions: 6\norder: sequential\nseed: "
                           "7\nloadgen:\n  duration: 1s\n  connections: 10\n");
    Submit();
  }

  // Submits the spec and stores results for its four trials: instances 1
  // measured 1000 and 1100 requests/s, instances 2 1900 and 2100. The
  // least-squares line is 100 + 950 x.
  void SubmitWithResults() {
    Submit();
    StoreResult(0, 1000);
    StoreResult(1, 1100);
    StoreResult(2, 1900);
    StoreResult(3, 2100);
  }
};

constexpr char kHeader[] =
    "trial_id,platform,instances,balancer,algorithm,hosts,vcpus,vcpus_total,"
    "keepalive,health_check_interval,connections,repetition,requests_per_s,"
    "transfer_kb_per_s,latency_mean_us,latency_p50_us,latency_p90_us,"
    "latency_p99_us,latency_max_us,errors,error_rate,start_skew_us,"
    "start_skew_uncertainty_us,start_spread_us,observed_start_spread_us,"
    "nested\n";

TEST_F(ResultsCommandTest, CsvHasTheSharedColumnsAndOneRowPerTrial) {
  SubmitWithResults();
  ASSERT_EQ(Run({"results", "exp-000001", "--output", "csv"}), kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(),
            std::string(kHeader) +
                "exp-000001/0,native,1,none,,1,1,1,true,0s,10,0,1000,50.5,0.63,"
                "0.1,0.2,5,5,0,0,-1500,0,0,,false\n"
                "exp-000001/1,native,1,none,,1,1,1,true,0s,10,1,1100,50.5,0.63,"
                "0.1,0.2,5,5,0,0,-1500,0,0,,false\n"
                "exp-000001/2,native,2,none,,1,1,2,true,0s,10,0,1900,50.5,0.63,"
                "0.1,0.2,5,5,0,0,-1500,0,0,,false\n"
                "exp-000001/3,native,2,none,,1,1,2,true,0s,10,1,2100,50.5,0.63,"
                "0.1,0.2,5,5,0,0,-1500,0,0,,false\n");
}

TEST_F(ResultsCommandTest, CsvIsWhatFitDataReads) {
  SubmitWithResults();
  ASSERT_EQ(Run({"results", "exp-000001", "--output", "csv"}), kExitOk);
  const std::string csv = WriteFile("results.csv", out_.str());
  ASSERT_EQ(
      RunOffline({"fit", "--data", csv, "--x", "instances", "--y",
                  "requests_per_s", "--model", "linear", "--output", "json"}),
      kExitOk)
      << err_.str();
  const nlohmann::json fit = nlohmann::json::parse(out_.str());
  EXPECT_NEAR(fit["fits"][0]["parameters"][0]["estimate"].get<double>(), 100,
              1e-6);
  EXPECT_NEAR(fit["fits"][0]["parameters"][1]["estimate"].get<double>(), 950,
              1e-6);
}

TEST_F(ResultsCommandTest, CsvOfAnExperimentWithoutResultsIsTheHeader) {
  Submit();
  ASSERT_EQ(Run({"results", "exp-000001", "--output", "csv"}), kExitOk);
  EXPECT_EQ(out_.str(), kHeader);
}

TEST_F(ResultsCommandTest, JsonListsEachTrialWithItsConfigurationAndResult) {
  SubmitWithResults();
  ASSERT_EQ(Run({"results", "experiments/exp-000001", "--output", "json"}),
            kExitOk)
      << err_.str();
  const nlohmann::json list = nlohmann::json::parse(out_.str());
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[2]["trial"], "experiments/exp-000001/trials/2");
  EXPECT_EQ(list[2]["trial_id"], "exp-000001/2");  // As in the CSV.
  EXPECT_EQ(list[2]["configuration"]["instances"], 2);
  // The spec's spellings, and numbers as numbers.
  EXPECT_EQ(list[2]["configuration"]["platform"], "native");
  EXPECT_EQ(list[2]["requests_per_s"], 1900.0);
  EXPECT_EQ(list[2]["start_skew_us"], -1500.0);
  EXPECT_EQ(list[2]["result"]["latency"]["count"], 10);
  EXPECT_EQ(list[2]["result"]["requests"], 1900);
}

// A stored result need not have a JSON form (protobuf refuses a start in
// the year 10000): the command says which trial and exits 1 instead of
// aborting on a parse error.
TEST_F(ResultsCommandTest, JsonOfAResultWithNoJsonFormIsAnErrorNotACrash) {
  Submit();
  StoreResult(0, 1000);
  v1::WorkerResult absurd;
  absurd.set_worker_id("h1");
  absurd.mutable_cpu_quota()->mutable_throttled()->set_seconds(400'000'000'000);
  StoreResult(1, 1100, 1500, {absurd});
  ASSERT_EQ(Run({"results", "exp-000001", "--output", "json"}), kExitRunFailed);
  EXPECT_THAT(err_.str(),
              HasSubstr("scalebench results: experiments/exp-000001/trials/1: "
                        "workers: cannot be shown as JSON: workers[h1]"));
}

TEST_F(ResultsCommandTest, JsonOfAStartInTheYear10000IsAnErrorNotACrash) {
  Submit();
  StoreResult(0, 1000);
  absl::StatusOr<v1::TrialResult> stored =
      store_->results().GetTrialResult(api::TrialName("exp-000001", 0));
  ASSERT_TRUE(stored.ok()) << stored.status();
  // Another trial's result, its window starting after the year 9999.
  Submit();
  const std::string trial = api::TrialName("exp-000002", 0);
  google::protobuf::Map<std::string, std::string> placement;
  placement["loadgen/0"] = "a";
  ASSERT_TRUE(store_->trials().StartAttempt(trial, placement).ok());
  v1::TrialResult result = *stored;
  result.mutable_key()->set_trial(trial);
  result.mutable_merged()->mutable_start_time()->set_seconds(253402300800);
  ASSERT_TRUE(store_->results().StoreTrialResult(result).ok());
  ASSERT_TRUE(store_->trials().FinishAttempt(result.key(), std::nullopt).ok());
  ASSERT_TRUE(store_->trials()
                  .SetTrialState(trial, v1::TRIAL_STATE_SUCCEEDED, "")
                  .ok());

  ASSERT_EQ(Run({"results", "exp-000002", "--output", "json"}), kExitRunFailed);
  EXPECT_THAT(err_.str(), HasSubstr("experiments/exp-000002/trials/0: result: "
                                    "cannot be shown as JSON"));
}

TEST_F(ResultsCommandTest, JsonSaysWhatEachHostReported) {
  Submit();
  StoreResult(0, 1000);
  v1::WorkerResult loaded;
  loaded.set_worker_id("h2");
  (*loaded.mutable_environment()->mutable_pinning())["loadgen"] = "1";
  loaded.mutable_loadgen()->set_requests(4000);
  *loaded.mutable_loadgen()->mutable_start_skew() =
      DurationToProto(absl::Microseconds(120));
  *loaded.mutable_clock()->mutable_before()->mutable_offset() =
      DurationToProto(absl::Microseconds(300'010));
  *loaded.mutable_clock()->mutable_after()->mutable_offset() =
      DurationToProto(absl::Microseconds(299'985));
  v1::CpuQuotaUsage& quota = *loaded.mutable_cpu_quota();
  quota.set_cgroup("/sbtb/h2");
  quota.set_cpus(0.5);
  quota.set_periods(40);
  quota.set_throttled_periods(31);
  v1::WorkerResult balancing;
  balancing.set_worker_id("h1");
  (*balancing.mutable_environment()->mutable_pinning())["balancer"] = "0";
  v1::CoreBusy* core = balancing.add_core_busy();
  core->set_cpu(0);
  core->set_busy(0.75);
  StoreResult(1, 1100, 1500, {balancing, loaded});
  ASSERT_EQ(Run({"results", "exp-000001", "--output", "json"}), kExitOk)
      << err_.str();
  const nlohmann::json list = nlohmann::json::parse(out_.str());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_TRUE(list[0]["workers"].empty());
  const nlohmann::json& workers = list[1]["workers"];
  ASSERT_EQ(workers.size(), 2u);
  EXPECT_EQ(workers[0]["worker_id"], "h1");
  EXPECT_EQ(workers[0]["pinning"]["balancer"], "0");
  EXPECT_FALSE(workers[0].contains("requests"));
  EXPECT_EQ(workers[0]["core_busy"][0]["busy"], 0.75);
  EXPECT_FALSE(workers[0].contains("cpu_quota"));
  EXPECT_EQ(workers[1]["worker_id"], "h2");
  EXPECT_EQ(workers[1]["requests"], 4000u);
  EXPECT_EQ(workers[1]["start_skew_us"], 120.0);
  EXPECT_EQ(workers[1]["clock"]["after"]["offset_us"], 299985.0);
  EXPECT_EQ(workers[1]["clock"]["drift_us"], -25.0);
  EXPECT_EQ(workers[1]["cpu_quota"]["cgroup"], "/sbtb/h2");
  EXPECT_EQ(workers[1]["cpu_quota"]["throttled_periods"], 31);
}

TEST_F(ResultsCommandTest, JsonAndTheTableStateTheSkewsBoundsAndSpreads) {
  Submit();
  v1::TrialResult trial = StartResult("exp-000001", 0);
  *trial.mutable_merged()->mutable_latency() = results::testing::TenSamples();
  trial.mutable_merged()->set_source("h2,h3");
  *trial.mutable_merged()->mutable_start_skew() =
      DurationToProto(absl::Microseconds(-210));
  *trial.mutable_merged()->mutable_start_skew_uncertainty() =
      DurationToProto(absl::Microseconds(45));
  *trial.mutable_max_start_skew() = DurationToProto(absl::Microseconds(210));
  *trial.mutable_estimated_start_spread() =
      DurationToProto(absl::Microseconds(330));
  *trial.mutable_estimated_start_spread_uncertainty() =
      DurationToProto(absl::Microseconds(95));
  *trial.mutable_observed_start_spread() =
      DurationToProto(absl::Microseconds(301));
  *trial.mutable_start_time() =
      TimeToProto(absl::FromUnixNanos(1'796'652'001'123'456'789));
  v1::WorkerResult front;
  front.set_worker_id("h1");
  v1::ObservedStart* seen = front.add_observed_starts();
  seen->set_worker_id("h2");
  seen->set_address("10.213.0.12");
  *seen->mutable_first_request() =
      TimeToProto(absl::FromUnixNanos(1'796'652'001'123'000'000));
  v1::ClockOffset& before = *front.mutable_clock()->mutable_before();
  *before.mutable_offset() = DurationToProto(absl::Milliseconds(-400));
  *before.mutable_uncertainty() = DurationToProto(absl::Microseconds(60));
  before.set_samples(16);
  *trial.add_raw() = front;
  FinishResult(trial);

  ASSERT_EQ(Run({"results", "exp-000001", "--output", "json"}), kExitOk)
      << err_.str();
  const nlohmann::json item = nlohmann::json::parse(out_.str())[0];
  EXPECT_EQ(item["start_time"], "2026-12-07T14:00:01.123456789Z");
  EXPECT_EQ(item["start_skew_us"], -210.0);
  EXPECT_EQ(item["start_skew_uncertainty_us"], 45.0);
  EXPECT_EQ(item["estimated_start_spread_us"], 330.0);
  EXPECT_EQ(item["estimated_start_spread_uncertainty_us"], 95.0);
  EXPECT_EQ(item["observed_start_spread_us"], 301.0);
  const nlohmann::json& host = item["workers"][0];
  EXPECT_EQ(host["clock"]["before"]["offset_us"], -400000.0);
  EXPECT_EQ(host["clock"]["before"]["uncertainty_us"], 60.0);
  EXPECT_EQ(host["clock"]["before"]["samples"], 16u);
  EXPECT_FALSE(host["clock"].contains("after"));
  EXPECT_FALSE(host["clock"].contains("drift_us"));
  EXPECT_EQ(host["observed_starts"][0]["worker_id"], "h2");
  EXPECT_EQ(host["observed_starts"][0]["first_request"],
            "2026-12-07T14:00:01.123000000Z");

  ASSERT_EQ(Run({"results", "exp-000001"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(),
              HasSubstr("1 trials): p50 210 µs, p99 210 µs,\n"
                        "  max 210 µs; each true within its host's clock "
                        "uncertainty (at most 45 µs)\n"));
  EXPECT_THAT(out_.str(),
              HasSubstr("start spread (the latest load generator's start "
                        "minus the earliest, 1 trials with several):\n"
                        "  estimated p50 330 µs, p99 330 µs, max 330 µs (± at "
                        "most 95 µs);\n"
                        "  observed by the balancer's host in 1: p50 301 µs, "
                        "p99 301 µs, max 301 µs\n"));
}

TEST_F(ResultsCommandTest, TableHasOneLinePerConfigurationThenTheFits) {
  SubmitWithResults();
  ASSERT_EQ(Run({"results", "exp-000001"}), kExitOk) << err_.str();
  const std::string out = out_.str();
  EXPECT_THAT(
      out,
      StartsWith(
          "INSTANCES  N  REQUESTS/S  95% INTERVAL  P99 (µs)\n"
          "1          2  1,050       -             5\n"
          "2          2  2,000       -             5\n"
          "common to all: platform native, balancer none, hosts 1, vcpus 1, "
          "keepalive true,\n"
          "  health_check_interval off, connections 10\n"
          "- under 95% INTERVAL: fewer than 6 trials, too few for a "
          "distribution-free interval of the median\n"
          "start skew (the largest load generator's of each trial, 4 "
          "trials): p50 1.50 ms, p99 1.50 ms,\n"
          "  max 1.50 ms\n"
          "\n"));
  EXPECT_THAT(out, HasSubstr("b1 (x)"));
  EXPECT_THAT(out, HasSubstr("950"));
  // --output table is the same.
  ASSERT_EQ(Run({"results", "exp-000001", "--output", "table"}), kExitOk);
  EXPECT_EQ(out_.str(), out);
}

// --wide: every factor a column, as the CSV has them; no common line.
TEST_F(ResultsCommandTest, WideTableHasEveryFactorAsAColumn) {
  SubmitWithResults();
  ASSERT_EQ(Run({"results", "exp-000001", "--wide"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(),
              StartsWith("PLATFORM  INSTANCES  BALANCER  ALGORITHM  HOSTS  "
                         "VCPUS  VCPUS_TOTAL  KEEPALIVE  HEALTH_CHECK_INTERVAL"
                         "  CONNECTIONS  N  REQUESTS/S  95% INTERVAL  P99 (µs)"
                         "\n"
                         "native    1          none      -          1      1 "
                         "     1            true       off                    "
                         "10           2  1,050       -             5\n"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("common to all")));
  EXPECT_THAT(out_.str(), HasSubstr("- under ALGORITHM: not set"));
}

TEST_F(ResultsCommandTest, TableShowsTheMedianIntervalFromSixTrials) {
  SubmitSixRepetitions();
  const double rates[] = {1000, 1010, 990, 1020, 980, 1005};
  for (int n = 0; n < 6; ++n) StoreResult(n, rates[n]);
  ASSERT_EQ(Run({"results", "exp-000001"}), kExitOk) << err_.str();
  // Sorted: 980 990 1000 1005 1010 1020; median 1002.5; with n = 6 the
  // distribution-free 96.9% interval is [x(1), x(6)].
  EXPECT_THAT(out_.str(),
              StartsWith("N  REQUESTS/S  95% INTERVAL  P99 (µs)\n"
                         "6  1,002       980-1,020     5\n"
                         "common to all: platform native, instances 1, "
                         "balancer none, hosts 1, vcpus 1, vcpus_total 1,\n"
                         "  keepalive true, health_check_interval off, "
                         "connections 10\n"
                         "start skew"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("- under")));
}

TEST_F(ResultsCommandTest, TheSkewLineHasNearestRankPercentiles) {
  SubmitSixRepetitions();
  const int skews_us[] = {500, 100, 900, 300, 200, 400};
  for (int n = 0; n < 6; ++n) StoreResult(n, 1000, skews_us[n]);
  ASSERT_EQ(Run({"results", "exp-000001"}), kExitOk) << err_.str();
  // Sorted 100 200 300 400 500 900: rank ceil(0.5 x 6) = 3 is 300, rank
  // ceil(0.99 x 6) = 6 is 900.
  EXPECT_THAT(out_.str(),
              HasSubstr("6 trials): p50 300 µs, p99 900 µs,\n  max 900 µs\n"));
}

// The table (and so `run`) reads the hosts' pinning: a core two roles
// shared is said under it.
TEST_F(ResultsCommandTest, TheTableSaysWhenProcessesSharedACore) {
  Submit();
  v1::WorkerResult host;
  host.set_worker_id("w1");
  auto& pinning = *host.mutable_environment()->mutable_pinning();
  pinning["target/0"] = "0";
  pinning["loadgen"] = "1";
  StoreResult(0, 1000, 1500, {host});
  pinning["target/1"] = "1";
  StoreResult(1, 1100, 1500, {host});
  ASSERT_EQ(Run({"results", "exp-000001"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(),
              HasSubstr("overcommitted: 1 of 2 trials ran several processes "
                        "on one core (exp-000001/1 on w1:\n"
                        "  core 1 for loadgen, target/1): the throughput"));
  // Every line up to the fits keeps to 100 columns.
  const std::string table = out_.str().substr(0, out_.str().find("\n\n"));
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    EXPECT_LE(DisplayWidth(line), 100u) << line;
  }
}

TEST_F(ResultsCommandTest, ResultsFromNestedHostsAreMarkedEverywhere) {
  Submit();
  StoreResult(0, 1000);
  StoreResult(1, 1100, 1500, {}, /*nested=*/true);
  StoreResult(2, 1900);
  StoreResult(3, 2100, 1500, {}, /*nested=*/true);
  const std::string line =
      "nested: 2 of 4 trials (exp-000001/1, exp-000001/3) ran on a host that "
      "is itself a virtual machine:\n"
      "  the throughput shows that the code path works, not how fast the "
      "platform is\n";
  ASSERT_EQ(Run({"results", "exp-000001"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr(line));
  ASSERT_EQ(Run({"results", "exp-000001", "--output", "csv"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("exp-000001/1,native,1,none,,1,1,1,true,"
                                    "0s,10,1,1100,50.5,0.63,0.1,0.2,5,5,0,0,"
                                    "-1500,0,0,,true\n"));
  EXPECT_THAT(out_.str(), HasSubstr(",-1500,0,0,,false\n"));
  ASSERT_EQ(Run({"results", "exp-000001", "--output", "json"}), kExitOk);
  const nlohmann::json list = nlohmann::json::parse(out_.str());
  EXPECT_EQ(list[0]["nested"], false);
  EXPECT_EQ(list[1]["nested"], true);
}

// One vocabulary: the spec's spellings of enums at every depth, in lists
// and map values, and 64-bit counts as numbers; Timestamps and Durations
// keep their strings.
TEST(ApiJsonValueTest, SpellsEnumsAsTheSpecAndCountsAsNumbers) {
  v1::TrialResult trial;
  v1::Configuration& c = *trial.mutable_configuration();
  c.set_platform(v1::PLATFORM_DOCKER);
  c.set_balancer(v1::BALANCER_KIND_HAPROXY);
  c.set_algorithm(v1::BALANCER_ALGORITHM_LEASTCONN);
  v1::LoadgenResult& merged = *trial.mutable_merged();
  merged.set_mode(v1::LOAD_MODE_OPEN);
  merged.set_requests(uint64_t{1} << 40);
  (*merged.mutable_statuses())[404] = 3;
  merged.mutable_failure()->set_kind(v1::FAILURE_KIND_ERRORS);
  merged.mutable_duration()->set_seconds(2);
  trial.add_raw()->mutable_failure()->set_kind(v1::FAILURE_KIND_LATE_START);
  absl::StatusOr<nlohmann::json> json = ApiJsonValue(trial);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ((*json)["configuration"]["platform"], "docker");
  EXPECT_EQ((*json)["configuration"]["balancer"], "haproxy");
  EXPECT_EQ((*json)["configuration"]["algorithm"], "leastconn");
  EXPECT_EQ((*json)["merged"]["mode"], "open");
  EXPECT_EQ((*json)["merged"]["requests"], uint64_t{1} << 40);
  EXPECT_EQ((*json)["merged"]["statuses"]["404"], 3);
  EXPECT_EQ((*json)["merged"]["failure"]["kind"], "errors");
  EXPECT_EQ((*json)["merged"]["duration"], "2s");
  EXPECT_EQ((*json)["raw"][0]["failure"]["kind"], "late_start");
}

TEST_F(ResultsCommandTest, UnknownExperimentExitsTwo) {
  EXPECT_EQ(Run({"results", "exp-000042"}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("exp-000042"));
}

TEST_F(ResultsCommandTest, FitExperimentPrintsTheStoredFitsLikeFitData) {
  SubmitWithResults();
  ASSERT_EQ(Run({"fit", "--experiment", "exp-000001"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("experiments/exp-000001"));
  EXPECT_THAT(out_.str(), HasSubstr("b1 (x)"));
  ASSERT_EQ(Run({"fit", "--experiment", "exp-000001", "--output", "json"}),
            kExitOk);
  const nlohmann::json models = nlohmann::json::parse(out_.str());
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0]["spec"]["fit"], "linear");
  EXPECT_EQ(models[0]["spec"]["x"], "instances");
  EXPECT_NEAR(models[0]["fits"][0]["parameters"][1]["estimate"].get<double>(),
              950, 1e-6);
  EXPECT_EQ(models[0]["fits"][0]["n"], 4);
}

constexpr char kCrossHostSpec[] = R"yaml(name: t
repetitions: 1
order: sequential
seed: 7
loadgen:
  duration: 1s
  connections: 10
sweep:
  instances: [1, 2, 3, 4]
  hosts: [1, 2]
models:
  - {fit: linear, x: instances, y: requests_per_s, train: {hosts: 1},
     test: {hosts: 2}}
)yaml";

TEST_F(ResultsCommandTest, FitExperimentSaysWhereACrossHostModelStopsAndWhy) {
  spec_path_ = WriteFile("cross.yaml", kCrossHostSpec);
  Submit();
  // One host: about 1000 requests/s per instance. Two hosts: 2000 at every
  // instance count, so 3 and 4 instances fall far below the line; at 3,
  // the balancer's core was 96% busy, the load generator's 50%.
  v1::WorkerResult worker;
  (*worker.mutable_environment()->mutable_pinning())["loadgen"] = "0";
  (*worker.mutable_environment()->mutable_pinning())["balancer"] = "1";
  for (auto [cpu, busy] : {std::pair<uint32_t, double>{0, 0.5}, {1, 0.96}}) {
    v1::CoreBusy* core = worker.add_core_busy();
    core->set_cpu(cpu);
    core->set_busy(busy);
  }
  for (int n = 0; n < 7; ++n) {
    absl::StatusOr<v1::Trial> trial =
        store_->trials().GetTrial(api::TrialName("exp-000001", n));
    ASSERT_TRUE(trial.ok()) << trial.status();
    absl::StatusOr<v1::Experiment> experiment =
        store_->experiments().GetExperiment("exp-000001",
                                            v1::EXPERIMENT_VIEW_FULL);
    ASSERT_TRUE(experiment.ok()) << experiment.status();
    const v1::Configuration& c =
        experiment->configurations(trial->configuration_index());
    if (c.hosts() == 1) {
      StoreResult(n, 1000.0 * c.instances() + (c.instances() % 2 ? 10 : -10));
    } else {
      StoreResult(n, 2000, 1500,
                  c.instances() == 3 ? std::vector<v1::WorkerResult>{worker}
                                     : std::vector<v1::WorkerResult>{});
    }
  }
  ASSERT_EQ(Run({"fit", "--experiment", "exp-000001"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("\nverdict: does not hold"));
  EXPECT_THAT(out_.str(),
              HasSubstr("\nsaturation: from instances = 3 (hosts = 2): the "
                        "balancer's cores were 96% busy, the load generators' "
                        "50%, all cores 73%: the balancer ran out\n"));
  ASSERT_EQ(Run({"fit", "--experiment", "exp-000001", "--output", "json"}),
            kExitOk);
  const nlohmann::json models = nlohmann::json::parse(out_.str());
  EXPECT_THAT(
      models[0]["fits"][0]["cross_host"]["saturation"].get<std::string>(),
      HasSubstr("the balancer ran out"));
}

constexpr char kUslSpec[] = R"yaml(name: t
repetitions: 1
loadgen:
  duration: 1s
sweep:
  instances: [1, 2, 4, 8]
models:
  - {fit: usl, x: instances, y: requests_per_s}
  - {fit: amdahl, x: instances, y: requests_per_s}
)yaml";

// Issue 25: `results` on a just-submitted experiment with a usl model
// without `by` killed the coordinator. Both commands say there is nothing
// to fit, and the coordinator answers on.
TEST_F(ResultsCommandTest, BeforeAnyResultTheFitsSayThereAreNoRows) {
  spec_path_ = WriteFile("usl.yaml", kUslSpec);
  Submit();
  ASSERT_EQ(Run({"results", "exp-000001"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(),
              HasSubstr("models[0]: no rows to fit: there are no trial "
                        "results"));
  ASSERT_EQ(Run({"fit", "--experiment", "exp-000001"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("usl fit of requests_per_s on instances"));
  EXPECT_THAT(out_.str(),
              HasSubstr("error: models[1]: no rows to fit: there are no "
                        "trial results"));
  EXPECT_EQ(Run({"status", "exp-000001"}), kExitOk) << err_.str();
}

TEST_F(ResultsCommandTest, FitExperimentWithoutModelsExitsOne) {
  spec_path_ = WriteFile("plain.yaml", kSpec);
  Submit();
  EXPECT_EQ(Run({"fit", "--experiment", "exp-000001"}), kExitRunFailed);
  EXPECT_THAT(err_.str(),
              HasSubstr("experiments/exp-000001 has no model fits"));
}

TEST_F(ResultsCommandTest, FitTakesExactlyOneSource) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const Case cases[] = {
      {{"fit"}, "--data is required (or --experiment EXPERIMENT"},
      {{"fit", "--data", "r.csv", "--experiment", "exp-000001"}, "--data"},
      {{"fit", "--experiment", "exp-000001", "--x", "instances"},
       "--x applies to --data only"},
      {{"fit", "--data", "r.csv", "--x", "instances", "--y", "rps"},
       "--model is required with --data"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RunOffline(c.args), kExitBadInput) << c.message;
    EXPECT_THAT(err_.str(), HasSubstr(c.message));
    EXPECT_THAT(out_.str(), IsEmpty());
  }
}

}  // namespace
}  // namespace scalebench::cli
