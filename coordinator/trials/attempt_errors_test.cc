// The scheduler on a FakeClock, about errors: an attempt whose requests
// failed beyond the spec's loadgen.max_error_rate (or all of them) fails
// with FAILURE_KIND_ERRORS, names the statuses, is not retried and leaves
// no trial result to fit; one under the bound succeeds with its rate.
#include <string>

#include "absl/strings/str_replace.h"
#include "coordinator/trials/trial_scheduler_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator::trial_scheduler_test {
namespace {

// kOneConfiguration (two attempts allowed), with a linear model to fit.
const std::string kOneConfigurationWithAModel =
    std::string(kOneConfiguration) +
    "models:\n  - {fit: linear, x: instances, y: requests_per_s}\n";

// Measured, but `failed` of the `requests` answered with `status`.
v1::WorkerResult MeasuredWithStatus(const v1::AttemptKey& key,
                                    uint64_t requests, uint64_t failed,
                                    uint32_t status, absl::Time start) {
  v1::WorkerResult result = Measured(key, "w1", requests, 5, start);
  v1::LoadgenResult& load = *result.mutable_loadgen();
  load.mutable_status_classes()->set_status_2xx(requests - failed);
  load.mutable_status_classes()->set_status_4xx(failed);
  (*load.mutable_statuses())[200] = requests - failed;
  (*load.mutable_statuses())[status] = failed;
  load.mutable_errors()->set_status(failed);
  return result;
}

class ErrorsTest : public SchedulerTest {
 protected:
  // Creates an experiment of `yaml` and takes trial 0's first attempt on
  // w1 to its measurement: `failed` of `requests` answered with `status`.
  void MeasureFirstAttempt(const std::string& yaml, uint64_t requests,
                           uint64_t failed, uint32_t status) {
    Create(yaml.c_str());
    Report("w1", Idle());
    scheduler_->RunOnce();
    Report("w1", Ready(Key(0, 1), {"127.0.0.1:9001"}));
    scheduler_->RunOnce();
    Report("w1", Finished(Key(0, 1)),
           {MeasuredWithStatus(Key(0, 1), requests, failed, status,
                               clock_.Wall())});
    scheduler_->RunOnce();
  }
};

TEST_F(ErrorsTest, AllNotFoundFailsWithErrorsNamingTheStatusAndNoRetry) {
  MeasureFirstAttempt(kOneConfigurationWithAModel, 1000, 1000, 404);
  Report("w1", Idle());
  scheduler_->RunOnce();
  scheduler_->RunOnce();
  const v1::Trial trial = Trial(0);
  ASSERT_EQ(trial.attempts_size(), 1);
  EXPECT_EQ(trial.attempts(0).failure().kind(), v1::FAILURE_KIND_ERRORS);
  EXPECT_EQ(trial.attempts(0).failure().reason(),
            "none of the 1000 requests succeeded (2xx): status 404 (1000)");
  EXPECT_EQ(trial.state(), v1::TRIAL_STATE_FAILED);
  EXPECT_FALSE(store_->results().GetTrialResult(Key(0, 1).trial()).ok());
  // Nothing was fitted to the error responses.
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      store_->fits().ListFits("exp-000001");
  ASSERT_TRUE(fits.ok()) << fits.status();
  ASSERT_EQ(fits->size(), 1u);
  EXPECT_EQ((*fits)[0].error(),
            "models[0]: no rows to fit: there are no trial results");
}

TEST_F(ErrorsTest, HalfAPercentOfErrorsUnderTheDefaultBoundSucceeds) {
  MeasureFirstAttempt(kOneConfiguration, 1000, 5, 404);
  ASSERT_EQ(Trial(0).state(), v1::TRIAL_STATE_SUCCEEDED);
  absl::StatusOr<v1::TrialResult> result =
      store_->results().GetTrialResult(Key(0, 1).trial());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_DOUBLE_EQ(result->error_rate(), 0.005);
  EXPECT_DOUBLE_EQ(result->requests_per_s(), 995.0 / 5);
}

TEST_F(ErrorsTest, TheSpecsBoundIsTheOneApplied) {
  MeasureFirstAttempt(
      absl::StrReplaceAll(
          kOneConfiguration,
          {{"  duration: 5s\n", "  duration: 5s\n  max_error_rate: 0.001\n"}}),
      1000, 5, 404);
  const v1::Trial trial = Trial(0);
  ASSERT_EQ(trial.attempts_size(), 1);
  EXPECT_EQ(trial.attempts(0).failure().reason(),
            "5 of 1000 requests failed (0.5%, more than "
            "loadgen.max_error_rate 0.1%): status 404 (5)");
}

TEST_F(ErrorsTest, AWindowWithNothingCompletedIsAStallAndIsRetried) {
  MeasureFirstAttempt(kOneConfiguration, 0, 0, 404);
  const v1::Trial trial = Trial(0);
  ASSERT_EQ(trial.attempts_size(), 1);
  EXPECT_EQ(trial.attempts(0).failure().kind(), v1::FAILURE_KIND_LOADGEN);
  EXPECT_THAT(trial.attempts(0).failure().reason(),
              HasSubstr("no request completed or failed in the window"));
  EXPECT_EQ(trial.state(), v1::TRIAL_STATE_QUEUED);
}

}  // namespace
}  // namespace scalebench::coordinator::trial_scheduler_test
