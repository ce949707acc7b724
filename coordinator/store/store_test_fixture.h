// Test-only: the fixture and helpers the store's own tests share
// (store_test.cc, experiment_store_test.cc, trial_store_test.cc). Not
// thread-safe.
#ifndef SCALEBENCH_COORDINATOR_STORE_STORE_TEST_FIXTURE_H_
#define SCALEBENCH_COORDINATOR_STORE_STORE_TEST_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "coordinator/store/sqlite.h"
#include "coordinator/store/stores.h"
#include "coordinator/store/stores_testing.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator::store_test {

// 4 instances x {none, haproxy} = 8 configurations, 3 repetitions.
inline constexpr char kSpecYaml[] = R"yaml(
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
inline constexpr int kConfigurations = 8;
inline constexpr int kRepetitions = 3;

inline v1::ExperimentSpec TestSpec() { return SpecFromYaml(kSpecYaml); }

inline int64_t Count(Database& db, const std::string& sql) {
  absl::StatusOr<Statement> stmt = db.Prepare(sql);
  EXPECT_TRUE(stmt.ok()) << stmt.status();
  absl::StatusOr<bool> row = stmt->Step();
  EXPECT_TRUE(row.ok() && *row);
  return stmt->ColumnInt(0);
}

class StoreTest : public StoreFileTest {
 protected:
  std::unique_ptr<Stores> OpenStore() { return Open(); }

  // A second, raw connection to the same file.
  std::unique_ptr<Database> Raw() {
    absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(path_);
    EXPECT_TRUE(db.ok()) << db.status();
    return std::move(db).value();
  }
};

// A fit of `x` with `error`, for the fits' tests.
inline v1::ModelFit Fit(const std::string& x, const std::string& error) {
  v1::ModelFit fit;
  fit.mutable_spec()->set_x(x);
  fit.set_error(error);
  return fit;
}

// Runs `trial` to success through the store as the scheduler would, its
// first attempt failing.
inline void RunTrial(Stores& store, const std::string& trial) {
  google::protobuf::Map<std::string, std::string> placement;
  placement["target/0"] = "workers/host-a";
  absl::StatusOr<v1::Attempt> first =
      store.trials().StartAttempt(trial, placement);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->number(), 1u);
  FailTargetStart(store, trial, 1, "nginx exited (1)");
  absl::StatusOr<v1::Attempt> second =
      store.trials().StartAttempt(trial, placement);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->number(), 2u);
  ASSERT_TRUE(
      store.trials().SetTrialState(trial, v1::TRIAL_STATE_MEASURING, "").ok());
  v1::AttemptKey key;
  key.set_trial(trial);
  key.set_attempt(2);
  ASSERT_TRUE(store.trials().FinishAttempt(key, std::nullopt).ok());
  v1::TrialResult result;
  *result.mutable_key() = key;
  result.set_requests_per_s(1234.5);
  ASSERT_TRUE(store.results().StoreTrialResult(result).ok());
  ASSERT_TRUE(
      store.trials().SetTrialState(trial, v1::TRIAL_STATE_SUCCEEDED, "").ok());
}

inline google::protobuf::Map<std::string, std::string> HostsAAndB() {
  google::protobuf::Map<std::string, std::string> placement;
  placement["target/0"] = "host-a";
  placement["loadgen/0"] = "host-b";
  return placement;
}

}  // namespace scalebench::coordinator::store_test

#endif  // SCALEBENCH_COORDINATOR_STORE_STORE_TEST_FIXTURE_H_
