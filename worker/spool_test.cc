#include "worker/spool.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

v1::WorkerResult Result(uint32_t trial, uint32_t attempt, uint64_t requests) {
  v1::WorkerResult r;
  r.mutable_key()->set_trial("experiments/exp-1/trials/" +
                             std::to_string(trial));
  r.mutable_key()->set_attempt(attempt);
  r.set_worker_id("host-a");
  r.mutable_loadgen()->set_requests(requests);
  return r;
}

std::string FreshDir() {
  std::string dir = ::testing::TempDir() + "/spool-XXXXXX";
  return mkdtemp(dir.data());
}

TEST(SpoolTest, StoredResultsSurviveAReopenInStoreOrder) {
  const std::string dir = FreshDir();
  {
    absl::StatusOr<Spool> spool = Spool::Open(dir + "/spool");
    ASSERT_TRUE(spool.ok()) << spool.status();
    ASSERT_TRUE(spool->Store(Result(7, 1, 100)).ok());
    ASSERT_TRUE(spool->Store(Result(2, 1, 200)).ok());
    ASSERT_TRUE(spool->Store(Result(10, 3, 300)).ok());
  }
  // A new worker process opens the same spool.
  absl::StatusOr<Spool> spool = Spool::Open(dir + "/spool");
  ASSERT_TRUE(spool.ok());
  absl::StatusOr<std::vector<v1::WorkerResult>> results = spool->List();
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 3u);
  EXPECT_EQ((*results)[0].loadgen().requests(), 100u);
  EXPECT_EQ((*results)[1].loadgen().requests(), 200u);
  EXPECT_EQ((*results)[2].loadgen().requests(), 300u);
}

TEST(SpoolTest, StoringTheSameResultAgainReplacesIt) {
  absl::StatusOr<Spool> spool = Spool::Open(FreshDir() + "/spool");
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE(spool->Store(Result(1, 1, 100)).ok());
  ASSERT_TRUE(spool->Store(Result(2, 1, 200)).ok());
  ASSERT_TRUE(spool->Store(Result(1, 1, 111)).ok());
  absl::StatusOr<std::vector<v1::WorkerResult>> results = spool->List();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].loadgen().requests(), 111u);  // Kept its place.
}

TEST(SpoolTest, RemoveDeletesOnlyTheAcknowledgedResult) {
  absl::StatusOr<Spool> spool = Spool::Open(FreshDir() + "/spool");
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE(spool->Store(Result(1, 1, 100)).ok());
  ASSERT_TRUE(spool->Store(Result(1, 2, 200)).ok());
  // Trial 11 must not be taken for trial 1.
  ASSERT_TRUE(spool->Store(Result(11, 1, 300)).ok());
  ASSERT_TRUE(spool->Remove(Result(1, 1, 0).key(), "host-a").ok());
  absl::StatusOr<std::vector<v1::WorkerResult>> results = spool->List();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].loadgen().requests(), 200u);
  EXPECT_EQ((*results)[1].loadgen().requests(), 300u);
  // Idempotent.
  EXPECT_TRUE(spool->Remove(Result(1, 1, 0).key(), "host-a").ok());
  EXPECT_EQ(spool->List()->size(), 2u);
}

TEST(SpoolTest, AForeignFileIsSkippedNotFatal) {
  const std::string dir = FreshDir() + "/spool";
  absl::StatusOr<Spool> spool = Spool::Open(dir);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE(spool->Store(Result(1, 1, 100)).ok());
  std::ofstream(dir + "/0000_garbage.result") << "\xff\xff not a proto";
  absl::StatusOr<std::vector<v1::WorkerResult>> results = spool->List();
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].loadgen().requests(), 100u);
}

// Store order does not come from a clock: a result stored after one an
// older worker named by the wall clock's nanoseconds still lists after it.
TEST(SpoolTest, ANewResultListsAfterEveryResultAlreadyThere) {
  const std::string dir = FreshDir() + "/spool";
  absl::StatusOr<Spool> spool = Spool::Open(dir);
  ASSERT_TRUE(spool.ok());
  std::string old;
  ASSERT_TRUE(Result(9, 1, 900).SerializeToString(&old));
  std::ofstream(dir + "/1765000000123456789_exp-1_trials_9_a1_host-a.result")
      << old;
  ASSERT_TRUE(spool->Store(Result(1, 1, 100)).ok());
  absl::StatusOr<std::vector<v1::WorkerResult>> results = spool->List();
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].loadgen().requests(), 900u);
  EXPECT_EQ((*results)[1].loadgen().requests(), 100u);
}

TEST(SpoolTest, AnUncreatableDirIsAPreconditionError) {
  EXPECT_EQ(Spool::Open("/proc/scalebench-no/spool").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace scalebench::worker
