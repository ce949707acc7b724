#include "worker/agent/state_dir_lock.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

using ::testing::HasSubstr;

std::string TempDir() {
  std::string dir = ::testing::TempDir() + "/lock-XXXXXX";
  return mkdtemp(dir.data());
}

// Two lockers in one process: flock locks belong to open descriptions, so
// the second descriptor is refused as a second worker would be.
TEST(StateDirLockTest, ASecondHolderIsRefusedWithTheFirstOnesPid) {
  const std::string dir = TempDir() + "/state";
  std::optional<absl::StatusOr<StateDirLock>> first =
      StateDirLock::Acquire(dir);
  ASSERT_TRUE(first->ok()) << first->status();
  // The dir was made, and holds only the lock file.
  EXPECT_TRUE(std::filesystem::exists(dir + "/lock"));

  const absl::StatusOr<StateDirLock> second = StateDirLock::Acquire(dir);
  ASSERT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
  EXPECT_THAT(second.status().message(),
              HasSubstr(absl::StrCat("pid ", getpid())));
  EXPECT_THAT(second.status().message(), HasSubstr(dir));
  // The refused one left the holder's pid in place.
  std::ifstream in(dir + "/lock");
  std::string pid;
  in >> pid;
  EXPECT_EQ(pid, absl::StrCat(getpid()));

  first.reset();  // Released: the next one gets it.
  EXPECT_TRUE(StateDirLock::Acquire(dir).ok());
  std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
}

TEST(StateDirLockTest, AMovedLockIsStillHeld) {
  const std::string dir = TempDir();
  absl::StatusOr<StateDirLock> first = StateDirLock::Acquire(dir);
  ASSERT_TRUE(first.ok());
  StateDirLock moved = *std::move(first);
  EXPECT_TRUE(absl::IsFailedPrecondition(StateDirLock::Acquire(dir).status()));
  std::filesystem::remove_all(dir);
}

TEST(StateDirLockTest, AnUncreatableDirIsBadInput) {
  const absl::StatusOr<StateDirLock> lock =
      StateDirLock::Acquire("/proc/self/no-such/state");
  EXPECT_TRUE(absl::IsInvalidArgument(lock.status())) << lock.status();
  EXPECT_THAT(lock.status().message(), HasSubstr("/proc/self/no-such/state"));
}

}  // namespace
}  // namespace scalebench::worker
