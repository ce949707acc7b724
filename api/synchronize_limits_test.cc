#include "api/synchronize_limits.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace scalebench::api {
namespace {

// A result whose serialized size is at least `bytes`.
v1::WorkerResult ResultOfSize(size_t bytes) {
  v1::WorkerResult result;
  result.set_worker_id("host-a");
  result.mutable_failure()->set_reason(std::string(bytes, 'x'));
  return result;
}

TEST(SynchronizeLimitsTest, AnEmptySpoolSendsNothing) {
  EXPECT_EQ(TakeResultBatch({}), 0u);
}

TEST(SynchronizeLimitsTest, ABacklogIsSentSixteenAtATime) {
  const std::vector<v1::WorkerResult> spool(100, ResultOfSize(100));
  EXPECT_EQ(TakeResultBatch(spool), 16u);
}

TEST(SynchronizeLimitsTest, LargeResultsAreBoundedByBytes) {
  // Two of 400 KiB fit in 1 MiB; a third would pass it.
  const std::vector<v1::WorkerResult> spool(5, ResultOfSize(400 << 10));
  EXPECT_EQ(TakeResultBatch(spool), 2u);
}

TEST(SynchronizeLimitsTest, AResultLargerThanTheBoundStillLeavesAlone) {
  const std::vector<v1::WorkerResult> spool(3, ResultOfSize(2 << 20));
  EXPECT_EQ(TakeResultBatch(spool), 1u);
}

TEST(SynchronizeLimitsTest, TheCoordinatorRejectsOverlongBatches) {
  v1::SynchronizeRequest request;
  for (int i = 0; i < 16; ++i) *request.add_results() = ResultOfSize(10);
  EXPECT_TRUE(CheckResultBatch(request).ok());
  *request.add_results() = ResultOfSize(10);
  const absl::Status status = CheckResultBatch(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("17 results"), std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace scalebench::api
