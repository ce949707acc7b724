// Test-only: the fixture every coordinator test over a real store shares
// (a fresh temp dir, the stores opened there on a FakeClock), and a spec
// from YAML. Not thread-safe; one per test.
#ifndef SCALEBENCH_COORDINATOR_STORE_STORES_TESTING_H_
#define SCALEBENCH_COORDINATOR_STORE_STORES_TESTING_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/fake_clock.h"
#include "coordinator/store/stores.h"
#include "scalebench/v1/coordinator.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::coordinator {

// Where every fixture's FakeClock starts.
inline const absl::Time kTestStart = absl::FromUnixSeconds(1'800'000'000);

// `yaml` parsed as a spec; a spec that does not parse fails the test and
// gives an empty one.
v1::ExperimentSpec SpecFromYaml(absl::string_view yaml);

// A schedule named "schedules/`id`" that runs `spec` every day at 02:00 in
// the coordinator's time zone, with no webhook.
v1::Schedule DailySchedule(const v1::ExperimentSpec& spec,
                           absl::string_view id = "nightly");

// Ends attempt `attempt` of `trial` (a trial's name) in `store` as its
// target failing to start, saying `reason`; a refusal fails the test.
// Inline, so that a test linking only the stores may use it.
inline void FailTargetStart(Stores& store, const std::string& trial,
                            uint32_t attempt, const std::string& reason) {
  v1::AttemptKey key;
  key.set_trial(trial);
  key.set_attempt(attempt);
  v1::Failure failure;
  failure.set_kind(v1::FAILURE_KIND_TARGET_START);
  failure.set_reason(reason);
  const absl::Status finished = store.trials().FinishAttempt(key, failure);
  EXPECT_TRUE(finished.ok()) << finished;
}

// A fresh temp dir for a store's file, removed after the test, and a
// FakeClock at kTestStart; the test opens the stores itself.
class StoreFileTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Opens the stores at path_ (again, as a restarted coordinator does;
  // the previous ones must be closed first). Null, and the test failed,
  // when it cannot.
  std::unique_ptr<Stores> Open();

  std::string dir_;
  // dir_ + "/coordinator.db".
  std::string path_;
  FakeClock clock_{kTestStart};
};

// A real store in a fresh temp dir, opened before the test (store_). A
// fixture that derives from it calls StoresTest::SetUp() first (and
// returns on a fatal failure) and StoresTest::TearDown() last.
class StoresTest : public StoreFileTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::unique_ptr<Stores> store_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_STORES_TESTING_H_
