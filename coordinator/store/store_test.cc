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
#include "coordinator/store/stores.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/spec_yaml.h"

namespace scalebench::coordinator {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

// 4 instances x {none, haproxy} = 8 configurations, 3 repetitions.
constexpr char kSpecYaml[] = R"yaml(
name: store-test
repetitions: 3
order: randomized
loadgen:
  mode: closed
  connections: 50
  duration: 3s
sweep:
  instances: [1, 2, 3, 4]
  balancer: [none, haproxy]
)yaml";
constexpr int kConfigurations = 8;
constexpr int kRepetitions = 3;

v1::ExperimentSpec TestSpec() {
  absl::StatusOr<v1::ExperimentSpec> spec = spec::ParseSpecYaml(kSpecYaml, "t");
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.value_or(v1::ExperimentSpec());
}

int64_t Count(Database& db, const std::string& sql) {
  absl::StatusOr<Statement> stmt = db.Prepare(sql);
  EXPECT_TRUE(stmt.ok()) << stmt.status();
  absl::StatusOr<bool> row = stmt->Step();
  EXPECT_TRUE(row.ok() && *row);
  return stmt->ColumnInt(0);
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "/store-XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    path_ = dir_ + "/coordinator.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Stores> OpenStore() {
    absl::StatusOr<std::unique_ptr<Stores>> store =
        Stores::Open(path_, &clock_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // A second, raw connection to the same file.
  std::unique_ptr<Database> Raw() {
    absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(path_);
    EXPECT_TRUE(db.ok()) << db.status();
    return std::move(db).value();
  }

  std::string dir_;
  std::string path_;
  FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
};

TEST_F(StoreTest, MigratesAFreshFileAndReopensIt) {
  {
    std::unique_ptr<Stores> store = OpenStore();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->database().schema_version(), kSchemaVersion);
  }
  std::unique_ptr<Stores> again = OpenStore();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->database().schema_version(), kSchemaVersion);
  std::unique_ptr<Database> raw = Raw();
  EXPECT_EQ(Count(*raw,
                  "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                  "AND name IN ('experiments', 'configurations', 'trials', "
                  "'attempts', 'worker_results', 'trial_results', 'events', "
                  "'workers', 'fits')"),
            9);
}

// A file written by a version-1 coordinator, with an experiment in it,
// gains the fits table and keeps its experiment.
TEST_F(StoreTest, MigratesAVersionOneFile) {
  {
    std::unique_ptr<Database> raw = Raw();
    ASSERT_TRUE(raw->Exec(Migrations()[0]).ok());
    ASSERT_TRUE(raw->Exec("INSERT INTO experiments (id, name, spec, "
                          "spec_source, state, seed, create_time) VALUES "
                          "('exp-000001', 'old', x'', '', 1, 7, 0)")
                    .ok());
    ASSERT_TRUE(raw->Exec("PRAGMA user_version = 1").ok());
  }
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->database().schema_version(), kSchemaVersion);
  absl::StatusOr<v1::Experiment> old = store->experiments().GetExperiment(
      "exp-000001", v1::EXPERIMENT_VIEW_BASIC);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->schedule(), "");  // Submitted by hand, before schedules.
  EXPECT_EQ(Count(*Raw(),
                  "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                  "AND name = 'fits'"),
            1);
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      store->fits().ListFits("exp-000001");
  ASSERT_TRUE(fits.ok()) << fits.status();
  EXPECT_THAT(*fits, SizeIs(0));
}

v1::ModelFit Fit(const std::string& x, const std::string& error) {
  v1::ModelFit fit;
  fit.mutable_spec()->set_x(x);
  fit.set_error(error);
  return fit;
}

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

TEST_F(StoreTest, RefusesASchemaNewerThanItKnows) {
  { ASSERT_NE(OpenStore(), nullptr); }
  ASSERT_TRUE(
      Raw()
          ->Exec(absl::StrCat("PRAGMA user_version = ", kSchemaVersion + 1))
          .ok());
  absl::StatusOr<std::unique_ptr<Stores>> store = Stores::Open(path_, &clock_);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition)
      << store.status();
}

TEST_F(StoreTest, WalModeIsOn) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  std::unique_ptr<Database> raw = Raw();
  absl::StatusOr<Statement> stmt = raw->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE(*stmt->Step());
  EXPECT_EQ(stmt->ColumnText(0), "wal");
}

TEST_F(StoreTest, CreateExperimentAssignsIdsAndExpandsTrials) {
  std::unique_ptr<Stores> store = OpenStore();
  absl::StatusOr<v1::Experiment> first =
      store->experiments().CreateExperiment(TestSpec(), kSpecYaml, "", 7);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->name(), "experiments/exp-000001");
  EXPECT_EQ(first->state(), v1::EXPERIMENT_STATE_PENDING);
  EXPECT_EQ(first->spec_source(), kSpecYaml);
  EXPECT_EQ(first->seed(), 7u);
  EXPECT_THAT(first->configurations(), SizeIs(kConfigurations));
  EXPECT_EQ(first->progress().trials_total(), kConfigurations * kRepetitions);
  EXPECT_EQ(first->create_time().seconds(), 1'800'000'000);

  absl::StatusOr<std::vector<v1::Trial>> trials =
      store->trials().ListTrials("exp-000001");
  ASSERT_TRUE(trials.ok()) << trials.status();
  ASSERT_THAT(*trials, SizeIs(kConfigurations * kRepetitions));
  std::set<std::pair<uint32_t, uint32_t>> seen;
  for (int n = 0; n < static_cast<int>(trials->size()); ++n) {
    const v1::Trial& trial = (*trials)[n];
    EXPECT_EQ(trial.name(), api::TrialName("exp-000001", n));
    EXPECT_EQ(trial.state(), v1::TRIAL_STATE_QUEUED);
    // Randomized order runs round by round.
    EXPECT_EQ(trial.repetition(), static_cast<uint32_t>(n / kConfigurations));
    seen.insert({trial.configuration_index(), trial.repetition()});
  }
  EXPECT_THAT(seen, SizeIs(kConfigurations * kRepetitions));

  absl::StatusOr<v1::Experiment> second =
      store->experiments().CreateExperiment(TestSpec(), "", "", 7);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->name(), "experiments/exp-000002");

  absl::StatusOr<v1::Experiment> basic = store->experiments().GetExperiment(
      "exp-000001", v1::EXPERIMENT_VIEW_BASIC);
  ASSERT_TRUE(basic.ok());
  EXPECT_EQ(basic->spec_source(), "");
  EXPECT_THAT(basic->configurations(), SizeIs(0));
  EXPECT_EQ(basic->spec().name(), "store-test");
  EXPECT_EQ(store->experiments()
                .GetExperiment("exp-000009", v1::EXPERIMENT_VIEW_BASIC)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreTest, SequentialOrderKeepsRepetitionsAdjacent) {
  std::unique_ptr<Stores> store = OpenStore();
  v1::ExperimentSpec spec = TestSpec();
  spec.set_order(v1::TRIAL_ORDER_SEQUENTIAL);
  ASSERT_TRUE(store->experiments().CreateExperiment(spec, "", "", 1).ok());
  absl::StatusOr<std::vector<v1::Trial>> trials =
      store->trials().ListTrials("exp-000001");
  ASSERT_TRUE(trials.ok());
  for (int n = 0; n < static_cast<int>(trials->size()); ++n) {
    EXPECT_EQ((*trials)[n].configuration_index(),
              static_cast<uint32_t>(n / kRepetitions));
    EXPECT_EQ((*trials)[n].repetition(),
              static_cast<uint32_t>(n % kRepetitions));
  }
}

TEST_F(StoreTest, RandomizedOrderDependsOnlyOnTheSeed) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 7).ok());
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 7).ok());
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 8).ok());
  auto order = [&](const std::string& id) {
    std::vector<uint32_t> configs;
    absl::StatusOr<std::vector<v1::Trial>> trials =
        store->trials().ListTrials(id);
    EXPECT_TRUE(trials.ok());
    for (const v1::Trial& t : *trials) {
      configs.push_back(t.configuration_index());
    }
    return configs;
  };
  EXPECT_EQ(order("exp-000001"), order("exp-000002"));
  EXPECT_NE(order("exp-000001"), order("exp-000003"));
  EXPECT_EQ(store->trials().ListTrials("exp-000042").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreTest, CreateExperimentIsIdempotentOnRequestId) {
  std::unique_ptr<Stores> store = OpenStore();
  absl::StatusOr<v1::Experiment> first =
      store->experiments().CreateExperiment(TestSpec(), kSpecYaml, "req-1", 7);
  ASSERT_TRUE(first.ok());
  clock_.Advance(absl::Seconds(5));
  absl::StatusOr<v1::Experiment> retry =
      store->experiments().CreateExperiment(TestSpec(), kSpecYaml, "req-1", 7);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), first->name());
  EXPECT_EQ(retry->create_time().seconds(), first->create_time().seconds());

  v1::ExperimentSpec other = TestSpec();
  other.set_name("another");
  EXPECT_EQ(store->experiments()
                .CreateExperiment(other, "", "req-1", 7)
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);

  absl::StatusOr<ExperimentPage> page =
      store->experiments().ListExperiments(0, "", v1::EXPERIMENT_VIEW_BASIC);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->experiments, SizeIs(1));
  absl::StatusOr<std::vector<v1::Trial>> trials =
      store->trials().ListTrials("exp-000001");
  ASSERT_TRUE(trials.ok());
  EXPECT_THAT(*trials, SizeIs(kConfigurations * kRepetitions));
}

TEST_F(StoreTest, ListsExperimentsNewestFirstInPages) {
  std::unique_ptr<Stores> store = OpenStore();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        store->experiments().CreateExperiment(TestSpec(), "", "", i).ok());
  }
  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    absl::StatusOr<ExperimentPage> page = store->experiments().ListExperiments(
        2, token, v1::EXPERIMENT_VIEW_BASIC);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const v1::Experiment& e : page->experiments) names.push_back(e.name());
    token = page->next_page_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(names,
              ElementsAre("experiments/exp-000005", "experiments/exp-000004",
                          "experiments/exp-000003", "experiments/exp-000002",
                          "experiments/exp-000001"));
  EXPECT_EQ(store->experiments()
                .ListExperiments(2, "bogus", v1::EXPERIMENT_VIEW_BASIC)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// Runs one trial through an attempt that fails and one that succeeds.
void RunTrial(Stores& store, const std::string& trial) {
  google::protobuf::Map<std::string, std::string> placement;
  placement["target/0"] = "workers/host-a";
  absl::StatusOr<v1::Attempt> first =
      store.trials().StartAttempt(trial, placement);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->number(), 1u);
  v1::AttemptKey key;
  key.set_trial(trial);
  key.set_attempt(1);
  v1::Failure failure;
  failure.set_kind(v1::FAILURE_KIND_TARGET_START);
  failure.set_reason("nginx exited (1)");
  ASSERT_TRUE(store.trials().FinishAttempt(key, failure).ok());
  absl::StatusOr<v1::Attempt> second =
      store.trials().StartAttempt(trial, placement);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->number(), 2u);
  ASSERT_TRUE(
      store.trials().SetTrialState(trial, v1::TRIAL_STATE_MEASURING, "").ok());
  key.set_attempt(2);
  ASSERT_TRUE(store.trials().FinishAttempt(key, std::nullopt).ok());
  v1::TrialResult result;
  *result.mutable_key() = key;
  result.set_requests_per_s(1234.5);
  ASSERT_TRUE(store.results().StoreTrialResult(result).ok());
  ASSERT_TRUE(
      store.trials().SetTrialState(trial, v1::TRIAL_STATE_SUCCEEDED, "").ok());
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
google::protobuf::Map<std::string, std::string> HostsAAndB() {
  google::protobuf::Map<std::string, std::string> placement;
  placement["target/0"] = "host-a";
  placement["loadgen/0"] = "host-b";
  return placement;
}

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
TEST_F(StoreTest, ASecondStoreOnTheSameFileIsRefusedWhileTheFirstIsOpen) {
  std::unique_ptr<Stores> first = OpenStore();
  ASSERT_NE(first, nullptr);
  absl::StatusOr<std::unique_ptr<Stores>> second = Stores::Open(path_, &clock_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()),
              ::testing::HasSubstr(absl::StrCat("another coordinator (pid ",
                                                getpid(), ") holds ", path_)));
  first.reset();
  EXPECT_NE(OpenStore(), nullptr);
}

// The store holds spec headers and webhook URLs: only its owner may read
// it, its write-ahead log and shared memory, whatever the umask.
TEST_F(StoreTest, TheStoreFilesAreReadableByTheirOwnerOnly) {
  const mode_t previous = umask(022);
  std::unique_ptr<Stores> store = OpenStore();
  umask(previous);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 7).ok());
  for (const std::string& path :
       {path_, path_ + "-wal", path_ + "-shm", path_ + ".lock"}) {
    struct stat info;
    ASSERT_EQ(stat(path.c_str(), &info), 0) << path;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << path;
  }
}

// A file a previous version made world-readable is made private on open.
TEST_F(StoreTest, OpeningAWorldReadableStoreMakesItPrivate) {
  { ASSERT_NE(OpenStore(), nullptr); }
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  struct stat info;
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

// The coordinator makes the store's folders readable by its user only;
// folders that exist are the user's business and are left as they are.
TEST_F(StoreTest, MissingFoldersAreCreatedReadableByTheirOwnerOnly) {
  const mode_t previous = umask(022);
  ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
  const std::string nested = dir_ + "/data/coordinator";
  absl::Status created = CreatePrivateDirectories(nested);
  umask(previous);
  ASSERT_TRUE(created.ok()) << created;
  for (const std::string& folder : {dir_ + "/data", nested}) {
    struct stat info;
    ASSERT_EQ(stat(folder.c_str(), &info), 0) << folder;
    EXPECT_EQ(info.st_mode & 0777, 0700u) << folder;
  }
  struct stat existing;
  ASSERT_EQ(stat(dir_.c_str(), &existing), 0);
  EXPECT_EQ(existing.st_mode & 0777, 0755u);
  EXPECT_TRUE(CreatePrivateDirectories(nested).ok());  // Idempotent.
}

// A store error says which file it is about.
TEST_F(StoreTest, ErrorsFromSqliteNameTheFile) {
  {
    std::ofstream garbage(path_);
    garbage << std::string(4096, 'x');
  }
  absl::StatusOr<std::unique_ptr<Stores>> store = Stores::Open(path_, &clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(std::string(store.status().message()),
              ::testing::HasSubstr(path_));
}

TEST_F(StoreTest, AFailedTransactionLeavesNothing) {
  {
    std::unique_ptr<Stores> store = OpenStore();
    ASSERT_NE(store, nullptr);
  }
  // Fail the insert of trial 5, after the experiment, its configurations
  // and trials 0-4 were written in the same transaction.
  ASSERT_TRUE(Raw()
                  ->Exec("CREATE TRIGGER fail_trial BEFORE INSERT ON trials "
                         "WHEN NEW.number = 5 BEGIN SELECT RAISE(ABORT, "
                         "'injected'); END")
                  .ok());
  std::unique_ptr<Stores> store = OpenStore();
  absl::StatusOr<v1::Experiment> failed =
      store->experiments().CreateExperiment(TestSpec(), "", "req-1", 7);
  EXPECT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.status().message()),
              ::testing::HasSubstr("injected"));

  std::unique_ptr<Database> raw = Raw();
  for (const char* table :
       {"experiments", "configurations", "trials", "events"}) {
    EXPECT_EQ(Count(*raw, absl::StrCat("SELECT COUNT(*) FROM ", table)), 0)
        << table;
  }
  ASSERT_TRUE(raw->Exec("DROP TRIGGER fail_trial").ok());
  absl::StatusOr<v1::Experiment> created =
      store->experiments().CreateExperiment(TestSpec(), "", "req-1", 7);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->name(), "experiments/exp-000001");
}

// Issue 25: plan.reserve threw std::bad_alloc inside CreateExperiment's
// transaction, which was never rolled back, so every later call failed
// with "cannot start a transaction within a transaction".
TEST_F(StoreTest, AnExceptionInATransactionRollsItBackAndIsAStatus) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  const absl::Status thrown =
      store->database().TEST_InTransaction([](Database& db) {
        EXPECT_TRUE(db.Exec("CREATE TABLE scratch (x)").ok());
        throw std::bad_alloc();
        return absl::OkStatus();
      });
  EXPECT_EQ(thrown.code(), absl::StatusCode::kResourceExhausted) << thrown;

  // Rolled back: the table is not there, and a new transaction starts.
  const absl::Status again = store->database().TEST_InTransaction(
      [](Database& db) { return db.Exec("CREATE TABLE scratch (x)"); });
  EXPECT_TRUE(again.ok()) << again;
  absl::StatusOr<v1::Experiment> created =
      store->experiments().CreateExperiment(TestSpec(), "", "", 7);
  EXPECT_TRUE(created.ok()) << created.status();

  const absl::Status other = store->database().TEST_InTransaction(
      [](Database&) -> absl::Status { throw std::runtime_error("boom"); });
  EXPECT_EQ(other.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(other.message()), ::testing::HasSubstr("boom"));
  EXPECT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 8).ok());
}

TEST_F(StoreTest, EverythingCommittedSurvivesAProcessThatDiesWithoutClosing) {
  { ASSERT_NE(OpenStore(), nullptr); }
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // No destructors, no close: the WAL is left as a crash leaves it.
    FakeClock clock;
    absl::StatusOr<std::unique_ptr<Stores>> store = Stores::Open(path_, &clock);
    if (!store.ok()) _exit(2);
    Stores* leaked = store->release();
    if (!leaked->experiments().CreateExperiment(TestSpec(), "", "", 7).ok())
      _exit(3);
    if (!leaked->trials()
             .StartAttempt(api::TrialName("exp-000001", 0), {})
             .ok()) {
      _exit(4);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ASSERT_TRUE(std::filesystem::exists(path_ + "-wal"));

  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<v1::Experiment> experiment =
      store->experiments().GetExperiment("exp-000001",
                                         v1::EXPERIMENT_VIEW_FULL);
  ASSERT_TRUE(experiment.ok()) << experiment.status();
  EXPECT_EQ(experiment->state(), v1::EXPERIMENT_STATE_RUNNING);
  EXPECT_EQ(experiment->progress().trials_running(), 1u);
  absl::StatusOr<std::vector<v1::ExperimentEvent>> events =
      store->experiments().Events("exp-000001", 0);
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(*events, SizeIs(2));
}

TEST_F(StoreTest, UpsertsWorkersAndKeepsBusyOnes) {
  std::unique_ptr<Stores> store = OpenStore();
  v1::HostFacts facts;
  facts.add_cpus(0);
  ASSERT_TRUE(
      store->workers().UpsertWorker("host-b", "s1", facts, clock_.Wall()).ok());
  ASSERT_TRUE(
      store->workers().UpsertWorker("host-a", "s1", facts, clock_.Wall()).ok());
  ASSERT_TRUE(
      store->workers().SetWorkerStatus("host-a", v1::WORKER_STATUS_BUSY).ok());
  facts.add_cpus(1);
  ASSERT_TRUE(
      store->workers()
          .UpsertWorker("host-a", "s2", facts, clock_.Wall() + absl::Seconds(3))
          .ok());
  absl::StatusOr<std::vector<v1::Worker>> workers =
      store->workers().ListWorkers();
  ASSERT_TRUE(workers.ok());
  ASSERT_THAT(*workers, SizeIs(2));
  EXPECT_EQ((*workers)[0].name(), "workers/host-a");
  EXPECT_EQ((*workers)[0].status(), v1::WORKER_STATUS_BUSY);
  EXPECT_THAT((*workers)[0].facts().cpus(), SizeIs(2));
  EXPECT_EQ((*workers)[0].last_seen_time().seconds(), 1'800'000'003);
  EXPECT_EQ((*workers)[1].status(), v1::WORKER_STATUS_IDLE);
  EXPECT_EQ(
      store->workers().UpsertWorker("bad/id", "s", facts, clock_.Wall()).code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store->workers().SetWorkerStatus("nobody", v1::WORKER_STATUS_LOST).code(),
      absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace scalebench::coordinator

namespace scalebench::coordinator {
namespace {

TEST_F(StoreTest, EstimatesTheTimeLeftFromSuccessfulAttempts) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 1).ok());
  auto progress = [&] {
    return store->experiments()
        .GetExperiment("exp-000001", v1::EXPERIMENT_VIEW_BASIC)
        ->progress();
  };
  EXPECT_FALSE(progress().has_estimated_remaining());
  google::protobuf::Map<std::string, std::string> roles;
  roles["target/0"] = "w1";
  const std::string trial0 = "experiments/exp-000001/trials/0";
  ASSERT_TRUE(store->trials().StartAttempt(trial0, roles).ok());
  clock_.Advance(absl::Seconds(10));
  v1::AttemptKey key;
  key.set_trial(trial0);
  key.set_attempt(1);
  v1::TrialResult result;
  *result.mutable_key() = key;
  ASSERT_TRUE(
      store->trials()
          .EndAttempt(key, std::nullopt, &result, v1::TRIAL_STATE_SUCCEEDED, "")
          .ok());
  // 23 trials left at 10 s each, one at a time.
  EXPECT_EQ(progress().estimated_remaining().seconds(), 230);
  // Two running at once: half as long.
  ASSERT_TRUE(store->trials()
                  .StartAttempt("experiments/exp-000001/trials/1", roles)
                  .ok());
  ASSERT_TRUE(store->trials()
                  .StartAttempt("experiments/exp-000001/trials/2", roles)
                  .ok());
  EXPECT_EQ(progress().estimated_remaining().seconds(), 115);
}

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

TEST_F(StoreTest, WaitingIsRecordedOnceAndClearedWhenTheExperimentEnds) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 1).ok());
  const size_t before = store->experiments().Events("exp-000001", 0)->size();
  ASSERT_TRUE(
      store->experiments().SetExperimentWaiting("exp-000001", "no xen").ok());
  ASSERT_TRUE(
      store->experiments().SetExperimentWaiting("exp-000001", "no xen").ok());
  EXPECT_EQ(store->experiments()
                .GetExperiment("exp-000001", v1::EXPERIMENT_VIEW_BASIC)
                ->waiting_for(),
            "no xen");
  absl::StatusOr<std::vector<v1::ExperimentEvent>> events =
      store->experiments().Events("exp-000001", before);
  ASSERT_THAT(*events, SizeIs(1));
  EXPECT_EQ((*events)[0].message(), "waiting: no xen");
  EXPECT_EQ((*events)[0].experiment().waiting_for(), "no xen");

  ASSERT_TRUE(store->experiments()
                  .SetExperimentState("exp-000001",
                                      v1::EXPERIMENT_STATE_CANCELLED, "bye")
                  .ok());
  EXPECT_EQ(store->experiments()
                .GetExperiment("exp-000001", v1::EXPERIMENT_VIEW_BASIC)
                ->waiting_for(),
            "");
  // An ended experiment waits for nothing.
  ASSERT_TRUE(
      store->experiments().SetExperimentWaiting("exp-000001", "later").ok());
  EXPECT_EQ(store->experiments()
                .GetExperiment("exp-000001", v1::EXPERIMENT_VIEW_BASIC)
                ->waiting_for(),
            "");
}

}  // namespace
}  // namespace scalebench::coordinator
