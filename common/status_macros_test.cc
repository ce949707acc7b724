#include "common/status_macros.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace scalebench {
namespace {

absl::Status FailIf(bool fail, int* calls) {
  ++*calls;
  if (fail) return absl::NotFoundError("missing");
  return absl::OkStatus();
}

absl::Status Twice(bool fail_first, int* calls, bool* reached_end) {
  RETURN_IF_ERROR(FailIf(fail_first, calls));
  RETURN_IF_ERROR(FailIf(false, calls));
  *reached_end = true;
  return absl::OkStatus();
}

TEST(StatusMacrosTest, ReturnIfErrorPropagatesTheFirstError) {
  int calls = 0;
  bool reached_end = false;
  const absl::Status s = Twice(true, &calls, &reached_end);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(reached_end);
}

TEST(StatusMacrosTest, ReturnIfErrorContinuesOnOk) {
  int calls = 0;
  bool reached_end = false;
  EXPECT_TRUE(Twice(false, &calls, &reached_end).ok());
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(reached_end);
}

absl::StatusOr<std::unique_ptr<int>> MakeInt(int value, int* calls) {
  ++*calls;
  if (value < 0) return absl::InvalidArgumentError("negative");
  return std::make_unique<int>(value);
}

absl::StatusOr<int> DoubleIt(int value, int* calls) {
  // A move-only type and a declaration on the left-hand side.
  ASSIGN_OR_RETURN(std::unique_ptr<int> p, MakeInt(value, calls));
  int doubled = 0;
  ASSIGN_OR_RETURN(p, MakeInt(*p * 2, calls));  // assignment to an existing
  doubled = *p;
  return doubled;
}

TEST(StatusMacrosTest, AssignOrReturnMovesValueAndEvaluatesOnce) {
  int calls = 0;
  absl::StatusOr<int> result = DoubleIt(21, &calls);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 42);
  EXPECT_EQ(calls, 2);
}

TEST(StatusMacrosTest, AssignOrReturnPropagatesError) {
  int calls = 0;
  absl::StatusOr<int> result = DoubleIt(-1, &calls);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "negative");
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace scalebench
