#include "api/attempt_keys.h"

#include "gtest/gtest.h"

namespace scalebench::api {
namespace {

v1::AttemptKey Key(const char* trial, uint32_t attempt) {
  v1::AttemptKey key;
  key.set_trial(trial);
  key.set_attempt(attempt);
  return key;
}

TEST(AttemptKeysTest, SameAttemptNeedsTrialAndNumber) {
  EXPECT_TRUE(SameAttempt(Key("experiments/e/trials/1", 2),
                          Key("experiments/e/trials/1", 2)));
  EXPECT_FALSE(SameAttempt(Key("experiments/e/trials/1", 2),
                           Key("experiments/e/trials/1", 3)));
  EXPECT_FALSE(SameAttempt(Key("experiments/e/trials/1", 2),
                           Key("experiments/e/trials/2", 2)));
}

TEST(AttemptKeysTest, ReportedAttemptOfEachState) {
  v1::WorkerState state;
  EXPECT_EQ(ReportedAttempt(state), nullptr);
  state.mutable_idle();
  EXPECT_EQ(ReportedAttempt(state), nullptr);
  *state.mutable_ready()->mutable_key() = Key("experiments/e/trials/4", 1);
  ASSERT_NE(ReportedAttempt(state), nullptr);
  EXPECT_EQ(ReportedAttempt(state)->trial(), "experiments/e/trials/4");
  *state.mutable_tearing_down()->mutable_key() =
      Key("experiments/e/trials/5", 2);
  ASSERT_NE(ReportedAttempt(state), nullptr);
  EXPECT_EQ(ReportedAttempt(state)->attempt(), 2u);
}

}  // namespace
}  // namespace scalebench::api
