// TrialStore, ResultStore and FitStore against a real file.
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <set>
#include <stdexcept>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "api/resource_names.h"
#include "common/fake_clock.h"
#include "coordinator/store/schema.h"
#include "coordinator/store/sqlite.h"
#include "coordinator/store/store_file.h"
#include "coordinator/store/store_test_fixture.h"
#include "coordinator/store/stores.h"
#include "coordinator/store/stores_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/spec_yaml.h"

namespace scalebench::coordinator::store_test {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

TEST_F(StoreTest, ReplaceFitsReplacesThemAllInOrder) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 7).ok());
  ASSERT_TRUE(
      store->fits()
          .ReplaceFits("exp-000001", {Fit("a", ""), Fit("b", "too few")})
          .ok());
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      store->fits().ListFits("exp-000001");
  ASSERT_TRUE(fits.ok()) << fits.status();
  ASSERT_THAT(*fits, SizeIs(2));
  EXPECT_EQ((*fits)[0].spec().x(), "a");
  EXPECT_EQ((*fits)[1].error(), "too few");

  ASSERT_TRUE(store->fits().ReplaceFits("exp-000001", {Fit("c", "")}).ok());
  fits = store->fits().ListFits("exp-000001");
  ASSERT_TRUE(fits.ok()) << fits.status();
  ASSERT_THAT(*fits, SizeIs(1));
  EXPECT_EQ((*fits)[0].spec().x(), "c");

  EXPECT_EQ(store->fits().ReplaceFits("exp-000099", {Fit("a", "")}).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store->fits().ListFits("exp-000099").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreTest, ListTrialResultsInTrialOrder) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 7).ok());
  for (uint32_t n : {5, 2}) {
    const std::string trial = api::TrialName("exp-000001", n);
    ASSERT_TRUE(store->trials().StartAttempt(trial, {}).ok());
    v1::TrialResult result;
    result.mutable_key()->set_trial(trial);
    result.mutable_key()->set_attempt(1);
    result.set_requests_per_s(n * 100);
    ASSERT_TRUE(store->results().StoreTrialResult(result).ok());
  }
  absl::StatusOr<std::vector<v1::TrialResult>> results =
      store->results().ListTrialResults("exp-000001");
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_THAT(*results, SizeIs(2));
  EXPECT_EQ((*results)[0].requests_per_s(), 200);
  EXPECT_EQ((*results)[1].requests_per_s(), 500);
  EXPECT_EQ(store->results().ListTrialResults("exp-000099").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreTest, AttemptsAndTrialStatesAppendGapFreeEventsAcrossReopen) {
  const std::string trial = api::TrialName("exp-000001", 0);
  {
    std::unique_ptr<Stores> store = OpenStore();
    ASSERT_TRUE(
        store->experiments().CreateExperiment(TestSpec(), "", "", 7).ok());
    RunTrial(*store, trial);
  }
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_TRUE(store->experiments()
                  .SetExperimentState("exp-000001",
                                      v1::EXPERIMENT_STATE_CANCELLED,
                                      "cancelled by user")
                  .ok());
  absl::StatusOr<std::vector<v1::ExperimentEvent>> events =
      store->experiments().Events("exp-000001", 0);
  ASSERT_TRUE(events.ok()) << events.status();
  // Created; attempt 1 started, failed; attempt 2 started; measuring;
  // attempt 2 succeeded; trial succeeded; cancelled.
  ASSERT_THAT(*events, SizeIs(8));
  for (size_t i = 0; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].sequence(), i + 1);
  }
  EXPECT_EQ((*events)[1].experiment().state(), v1::EXPERIMENT_STATE_RUNNING);
  EXPECT_EQ((*events)[2].message(),
            "trial 0 attempt 1 failed: nginx exited (1)");
  EXPECT_EQ((*events)[6].trial().state(), v1::TRIAL_STATE_SUCCEEDED);
  EXPECT_DOUBLE_EQ((*events)[6].result().requests_per_s(), 1234.5);
  EXPECT_EQ((*events)[6].experiment().progress().trials_succeeded(), 1u);
  EXPECT_EQ((*events)[7].experiment().state(), v1::EXPERIMENT_STATE_CANCELLED);
  EXPECT_TRUE((*events)[7].experiment().has_end_time());

  absl::StatusOr<std::vector<v1::ExperimentEvent>> tail =
      store->experiments().Events("exp-000001", 6);
  ASSERT_TRUE(tail.ok());
  ASSERT_THAT(*tail, SizeIs(2));
  EXPECT_EQ((*tail)[0].sequence(), 7u);

  absl::StatusOr<v1::Trial> stored = store->trials().GetTrial(trial);
  ASSERT_TRUE(stored.ok());
  ASSERT_THAT(stored->attempts(), SizeIs(2));
  EXPECT_EQ(stored->attempts(0).failure().kind(),
            v1::FAILURE_KIND_TARGET_START);
  EXPECT_FALSE(stored->attempts(1).has_failure());
  EXPECT_EQ(stored->attempts(1).placement().at("target/0"), "workers/host-a");
  // An ended trial and an ended experiment refuse further transitions.
  EXPECT_EQ(
      store->trials().SetTrialState(trial, v1::TRIAL_STATE_QUEUED, "").code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->trials()
                .StartAttempt(api::TrialName("exp-000001", 1), {})
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(StoreTest, StartAttemptRefusesWhileTheLastIsRunning) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 7).ok());
  const std::string trial = api::TrialName("exp-000001", 3);
  ASSERT_TRUE(store->trials().StartAttempt(trial, {}).ok());
  EXPECT_EQ(store->trials().StartAttempt(trial, {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->trials()
                .StartAttempt(api::TrialName("exp-000001", 999), {})
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

// Attempt placement: host-a and host-b hold its roles.
TEST_F(StoreTest, DuplicateWorkerResultIsIgnoredAndNotOverwritten) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 7).ok());
  const std::string trial = api::TrialName("exp-000001", 0);
  ASSERT_TRUE(store->trials().StartAttempt(trial, HostsAAndB()).ok());
  v1::WorkerResult result;
  result.mutable_key()->set_trial(trial);
  result.mutable_key()->set_attempt(1);
  result.set_worker_id("host-a");
  result.mutable_loadgen()->set_requests(100);
  absl::StatusOr<bool> first = store->results().StoreWorkerResult(result);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);

  v1::WorkerResult changed = result;
  changed.mutable_loadgen()->set_requests(999);
  absl::StatusOr<bool> again = store->results().StoreWorkerResult(changed);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(*again);

  absl::StatusOr<std::vector<v1::WorkerResult>> stored =
      store->results().ListWorkerResults(result.key());
  ASSERT_TRUE(stored.ok());
  ASSERT_THAT(*stored, SizeIs(1));
  EXPECT_EQ((*stored)[0].loadgen().requests(), 100u);

  v1::WorkerResult unknown = result;
  unknown.mutable_key()->set_attempt(2);
  EXPECT_EQ(store->results().StoreWorkerResult(unknown).status().code(),
            absl::StatusCode::kNotFound);
}

// One transaction for many results: each keeps its own outcome (new, a
// duplicate, an unknown attempt, a malformed key), and the others are stored.
TEST_F(StoreTest, StoreWorkerResultsGivesEachItsOwnOutcome) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 7).ok());
  const std::string trial = api::TrialName("exp-000001", 0);
  ASSERT_TRUE(store->trials().StartAttempt(trial, HostsAAndB()).ok());
  v1::WorkerResult a;
  a.mutable_key()->set_trial(trial);
  a.mutable_key()->set_attempt(1);
  a.set_worker_id("host-a");
  a.mutable_loadgen()->set_requests(100);
  v1::WorkerResult b = a;
  b.set_worker_id("host-b");
  v1::WorkerResult unknown = a;
  unknown.mutable_key()->set_attempt(2);
  v1::WorkerResult malformed = a;
  malformed.mutable_key()->set_trial("not a trial");
  v1::WorkerResult a_again = a;
  a_again.mutable_loadgen()->set_requests(999);

  absl::StatusOr<std::vector<absl::StatusOr<bool>>> outcomes =
      store->results().StoreWorkerResults({a, unknown, b, malformed, a_again});
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_THAT(*outcomes, SizeIs(5));
  ASSERT_TRUE((*outcomes)[0].ok());
  EXPECT_TRUE(*(*outcomes)[0]);
  EXPECT_EQ((*outcomes)[1].status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE((*outcomes)[2].ok());
  EXPECT_TRUE(*(*outcomes)[2]);
  EXPECT_EQ((*outcomes)[3].status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE((*outcomes)[4].ok());
  EXPECT_FALSE(*(*outcomes)[4]);  // The duplicate in the same batch.

  absl::StatusOr<std::vector<v1::WorkerResult>> stored =
      store->results().ListWorkerResults(a.key());
  ASSERT_TRUE(stored.ok());
  ASSERT_THAT(*stored, SizeIs(2));
  for (const v1::WorkerResult& r : *stored) {
    EXPECT_EQ(r.loadgen().requests(), 100u);
  }
}

// A worker may report only for an attempt it was placed on: another
// worker's failure, even a well-formed one, is refused and not stored, so
// it cannot end the placed worker's attempt.
TEST_F(StoreTest, AResultOfAWorkerNotPlacedOnTheAttemptIsRefused) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 7).ok());
  const std::string trial = api::TrialName("exp-000001", 0);
  ASSERT_TRUE(store->trials().StartAttempt(trial, HostsAAndB()).ok());
  v1::WorkerResult forged;
  forged.mutable_key()->set_trial(trial);
  forged.mutable_key()->set_attempt(1);
  forged.set_worker_id("evil");
  forged.mutable_failure()->set_kind(v1::FAILURE_KIND_TARGET_START);
  forged.mutable_failure()->set_reason("nginx exited");
  v1::WorkerResult honest = forged;
  honest.set_worker_id("host-b");
  honest.clear_failure();

  absl::StatusOr<bool> single = store->results().StoreWorkerResult(forged);
  EXPECT_EQ(single.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(single.status().message()),
              ::testing::HasSubstr("worker evil was not placed on attempt 1"));
  absl::StatusOr<std::vector<absl::StatusOr<bool>>> outcomes =
      store->results().StoreWorkerResults({forged, honest});
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_THAT(*outcomes, SizeIs(2));
  EXPECT_EQ((*outcomes)[0].status().code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE((*outcomes)[1].ok());
  EXPECT_TRUE(*(*outcomes)[1]);

  absl::StatusOr<std::vector<v1::WorkerResult>> stored =
      store->results().ListWorkerResults(forged.key());
  ASSERT_TRUE(stored.ok());
  ASSERT_THAT(*stored, SizeIs(1));
  EXPECT_EQ((*stored)[0].worker_id(), "host-b");
  EXPECT_FALSE((*stored)[0].has_failure());
}

// The placement may name a worker by id or by resource name.
TEST_F(StoreTest, APlacementByResourceNameAdmitsThatWorker) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 7).ok());
  const std::string trial = api::TrialName("exp-000001", 0);
  google::protobuf::Map<std::string, std::string> placement;
  placement["target/0"] = "workers/host-a";
  ASSERT_TRUE(store->trials().StartAttempt(trial, placement).ok());
  v1::WorkerResult result;
  result.mutable_key()->set_trial(trial);
  result.mutable_key()->set_attempt(1);
  result.set_worker_id("host-a");
  EXPECT_TRUE(store->results().StoreWorkerResult(result).ok());
  result.set_worker_id("host-ab");
  EXPECT_EQ(store->results().StoreWorkerResult(result).status().code(),
            absl::StatusCode::kPermissionDenied);
}

// Two coordinators on one store would interleave their schedulers'
// decisions: the second is refused, naming the holder.
TEST_F(StoreTest, EndAttemptIsOneTransactionAndChecksItsArguments) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 1).ok());
  google::protobuf::Map<std::string, std::string> roles;
  roles["target/0"] = "w1";
  const std::string trial0 = "experiments/exp-000001/trials/0";
  ASSERT_TRUE(store->trials().StartAttempt(trial0, roles).ok());
  v1::AttemptKey key;
  key.set_trial(trial0);
  key.set_attempt(1);
  // Succeeding needs a result; a result of another attempt is refused.
  EXPECT_TRUE(absl::IsInvalidArgument(store->trials().EndAttempt(
      key, std::nullopt, nullptr, v1::TRIAL_STATE_SUCCEEDED, "")));
  v1::TrialResult other;
  other.mutable_key()->set_trial(trial0);
  other.mutable_key()->set_attempt(2);
  EXPECT_TRUE(absl::IsInvalidArgument(store->trials().EndAttempt(
      key, std::nullopt, &other, v1::TRIAL_STATE_SUCCEEDED, "")));
  EXPECT_TRUE(absl::IsInvalidArgument(store->trials().EndAttempt(
      key, std::nullopt, nullptr, v1::TRIAL_STATE_MEASURING, "")));
  // A failure requeues the trial, with the attempt ended, in one go.
  v1::Failure failure;
  failure.set_kind(v1::FAILURE_KIND_TIMEOUT);
  failure.set_reason("prepare: w1 not ready within 30s");
  ASSERT_TRUE(
      store->trials()
          .EndAttempt(key, failure, nullptr, v1::TRIAL_STATE_QUEUED, "retrying")
          .ok());
  absl::StatusOr<v1::Trial> trial = store->trials().GetTrial(trial0);
  ASSERT_TRUE(trial.ok());
  EXPECT_EQ(trial->state(), v1::TRIAL_STATE_QUEUED);
  EXPECT_TRUE(trial->attempts(0).has_end_time());
  EXPECT_EQ(trial->attempts(0).failure().reason(),
            "prepare: w1 not ready within 30s");
  // Again (a retry after a lost reply): nothing changes.
  const size_t events = store->experiments().Events("exp-000001", 0)->size();
  EXPECT_TRUE(store->trials()
                  .EndAttempt(key, failure, nullptr, v1::TRIAL_STATE_FAILED, "")
                  .ok());
  EXPECT_EQ(store->trials().GetTrial(trial0)->state(), v1::TRIAL_STATE_QUEUED);
  EXPECT_EQ(store->experiments().Events("exp-000001", 0)->size(), events);
}

TEST_F(StoreTest, AddTrialsAppendsTheNextRepetitions) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 1).ok());
  absl::StatusOr<std::vector<v1::Trial>> added =
      store->trials().AddTrials("exp-000001", {5, 2}, "round 4");
  ASSERT_TRUE(added.ok()) << added.status();
  ASSERT_EQ(added->size(), 2u);
  // 24 trials before (8 configurations x 3): numbers 24 and 25, each the
  // fourth repetition (3) of its configuration.
  EXPECT_EQ((*added)[0].name(), "experiments/exp-000001/trials/24");
  EXPECT_EQ((*added)[0].configuration_index(), 5u);
  EXPECT_EQ((*added)[0].repetition(), 3u);
  EXPECT_EQ((*added)[1].name(), "experiments/exp-000001/trials/25");
  EXPECT_EQ((*added)[1].configuration_index(), 2u);
  EXPECT_EQ((*added)[1].state(), v1::TRIAL_STATE_QUEUED);
  EXPECT_TRUE(absl::IsInvalidArgument(
      store->trials().AddTrials("exp-000001", {8}, "").status()));
  EXPECT_EQ(store->trials().ListTrials("exp-000001")->size(), 26u);
  EXPECT_THAT(store->experiments().ListActiveExperimentIds().value(),
              ::testing::ElementsAre("exp-000001"));
}

// The largest grid (100 x 100 configurations, 10,000 trials) cancelled
// in one call: every queued trial ends, with one event for all of them,
// and the experiment with another.
TEST_F(StoreTest, EndQueuedTrialsEndsAThousandsOfTrialsInOneTransaction) {
  std::string levels;
  for (int i = 1; i <= 100; ++i) absl::StrAppend(&levels, i > 1 ? ", " : "", i);
  const std::string yaml = absl::StrCat(
      "name: big\nrepetitions: 1\nloadgen:\n  duration: 1s\nsweep:\n"
      "  instances: [",
      levels, "]\n  connections: [", levels, "]\n");
  absl::StatusOr<v1::ExperimentSpec> spec = spec::ParseSpecYaml(yaml, "t");
  ASSERT_TRUE(spec.ok()) << spec.status();
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_TRUE(store->experiments().CreateExperiment(*spec, yaml, "", 1).ok());
  // One trial is running: it is not queued, and keeps the experiment on.
  google::protobuf::Map<std::string, std::string> roles;
  roles["target/0"] = "workers/w";
  ASSERT_TRUE(store->trials()
                  .StartAttempt("experiments/exp-000001/trials/0", roles)
                  .ok());
  const size_t before = store->experiments().Events("exp-000001", 0)->size();

  absl::StatusOr<uint32_t> ended = store->trials().EndQueuedTrials(
      "exp-000001", v1::TRIAL_STATE_CANCELLED, v1::EXPERIMENT_STATE_CANCELLED,
      "cancelled");
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_EQ(*ended, 9999u);
  absl::StatusOr<v1::Experiment> experiment =
      store->experiments().GetExperiment("exp-000001",
                                         v1::EXPERIMENT_VIEW_BASIC);
  EXPECT_EQ(experiment->progress().trials_total(), 10000u);
  EXPECT_EQ(experiment->progress().trials_running(), 1u);
  // An attempt still runs: the experiment has not ended.
  EXPECT_EQ(experiment->state(), v1::EXPERIMENT_STATE_RUNNING);
  EXPECT_THAT(*store->experiments().Events("exp-000001", before), SizeIs(1));
  EXPECT_EQ(Count(*Raw(), "SELECT COUNT(*) FROM trials WHERE state = " +
                              std::to_string(v1::TRIAL_STATE_CANCELLED)),
            9999);

  // Once it has ended, the experiment ends with the next call.
  v1::AttemptKey key;
  key.set_trial("experiments/exp-000001/trials/0");
  key.set_attempt(1);
  v1::Failure failure;
  failure.set_kind(v1::FAILURE_KIND_CANCELLED);
  ASSERT_TRUE(store->trials()
                  .EndAttempt(key, failure, nullptr, v1::TRIAL_STATE_CANCELLED,
                              "cancelled")
                  .ok());
  ended = store->trials().EndQueuedTrials(
      "exp-000001", v1::TRIAL_STATE_CANCELLED, v1::EXPERIMENT_STATE_CANCELLED,
      "cancelled");
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_EQ(*ended, 0u);
  EXPECT_EQ(store->experiments()
                .GetExperiment("exp-000001", v1::EXPERIMENT_VIEW_BASIC)
                ->state(),
            v1::EXPERIMENT_STATE_CANCELLED);
  EXPECT_EQ(store->trials()
                .EndQueuedTrials("exp-000001", v1::TRIAL_STATE_CANCELLED,
                                 v1::EXPERIMENT_STATE_CANCELLED, "again")
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace scalebench::coordinator::store_test
