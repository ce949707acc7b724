// ExperimentStore against a real file.
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
}  // namespace scalebench::coordinator::store_test
