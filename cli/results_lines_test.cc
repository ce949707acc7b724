// The lines `scalebench results` prints under its table, on trial
// results built here: nested hosts, shared cores, failed requests.
#include <vector>

#include "api/resource_names.h"
#include "cli/results_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::StartsWith;

TEST(NestedLineTest, AllOrNoneNested) {
  std::vector<v1::TrialResult> trials(3);
  for (int i = 0; i < 3; ++i) {
    trials[i].mutable_key()->set_trial(api::TrialName("exp-000001", i));
  }
  EXPECT_EQ(NestedLine(trials), "");
  for (v1::TrialResult& t : trials) t.set_nested(true);
  EXPECT_THAT(NestedLine(trials), StartsWith("nested: all 3 trials ran on"));
  trials.resize(1);
  EXPECT_THAT(NestedLine(trials), StartsWith("nested: the trial ran on"));
}

TEST(SharedCoresLineTest, SaysHowManyTrialsSharedACoreAndWhere) {
  std::vector<v1::TrialResult> trials(3);
  for (int i = 0; i < 3; ++i) {
    trials[i].mutable_key()->set_trial(api::TrialName("exp-000001", i));
    v1::WorkerResult& host = *trials[i].add_raw();
    host.set_worker_id("local");
    auto& pinning = *host.mutable_environment()->mutable_pinning();
    pinning["target/0"] = "0";
    pinning["loadgen"] = "1";
  }
  EXPECT_EQ(SharedCoresLine(trials), "");
  (*trials[1]
        .mutable_raw(0)
        ->mutable_environment()
        ->mutable_pinning())["target/1"] = "0";
  EXPECT_EQ(SharedCoresLine(trials),
            "overcommitted: 1 of 3 trials ran several processes on one core "
            "(exp-000001/1 on local: core 0 for target/0, target/1): the "
            "throughput shows how this machine shares its cores, not how the "
            "platform scales; give the hosts more cores, or sweep fewer "
            "instances\n");
}

TEST(ErrorsLineTest, SaysHowManyAndTheWorst) {
  std::vector<v1::TrialResult> trials(4);
  for (int i = 0; i < 4; ++i) {
    trials[i].mutable_key()->set_trial(api::TrialName("exp-000001", i));
  }
  EXPECT_EQ(ErrorsLine(trials), "");
  trials[1].set_error_rate(0.001);
  trials[3].set_error_rate(0.005);
  EXPECT_EQ(ErrorsLine(trials),
            "errors: 2 of 4 trials had failed requests, at most 0.5% "
            "(exp-000001/3); requests/s counts 2xx responses only\n");
}

}  // namespace
}  // namespace scalebench::cli
