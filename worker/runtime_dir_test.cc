#include "worker/runtime_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

mode_t ModeOf(const std::string& path) {
  struct stat info;
  EXPECT_EQ(stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

class RuntimeDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "/runtime-dir-XXXXXX";
    top_ = fs::path(mkdtemp(dir.data())).lexically_normal().string();
    ASSERT_EQ(chmod(top_.c_str(), 0755), 0);
    // A home directory of mode 700 with a project in it.
    home_ = top_ + "/home";
    fs::create_directories(home_ + "/project/scalebench-data/worker");
    ASSERT_EQ(chmod(home_.c_str(), 0700), 0);
    closed_state_ = home_ + "/project/scalebench-data/worker";
    open_state_ = top_ + "/open/worker";
    fs::create_directories(open_state_);
    options_.base = top_ + "/run-scalebench";
    options_.targets_run_as_other_user = true;
  }
  void TearDown() override { fs::remove_all(top_); }

  std::string top_, home_, closed_state_, open_state_;
  RuntimeDirOptions options_;
};

TEST_F(RuntimeDirTest, AStateDirTheTargetsReachIsUsedAsIs) {
  absl::StatusOr<std::string> dir =
      ResolveRuntimeDir(open_state_, "local", "", options_);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(*dir, open_state_);
  EXPECT_FALSE(fs::exists(options_.base));
}

TEST_F(RuntimeDirTest, TargetsOfTheSameUserReachAnyStateDir) {
  options_.targets_run_as_other_user = false;
  absl::StatusOr<std::string> dir =
      ResolveRuntimeDir(closed_state_, "local", "", options_);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(*dir, closed_state_);
}

TEST_F(RuntimeDirTest, AStateDirUnderAClosedHomeGetsOneUnderTheBase) {
  ASSERT_FALSE(CheckTargetsCanReach(closed_state_, options_).ok());
  absl::StatusOr<std::string> dir =
      ResolveRuntimeDir(closed_state_, "local", "", options_);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_THAT(*dir, StartsWith(options_.base + "/local-"));
  EXPECT_EQ(ModeOf(options_.base), 0711u);
  EXPECT_EQ(ModeOf(*dir), 0755u);
  EXPECT_TRUE(CheckTargetsCanReach(*dir, options_).ok());
  std::ifstream note(*dir + "/state-dir");
  std::string named;
  std::getline(note, named);
  EXPECT_EQ(named, closed_state_);

  // The same state dir finds the same runtime dir (a restarted worker
  // recovers what it left); another state dir gets its own.
  EXPECT_EQ(*ResolveRuntimeDir(closed_state_, "local", "", options_), *dir);
  const std::string other = home_ + "/other";
  fs::create_directories(other);
  absl::StatusOr<std::string> second =
      ResolveRuntimeDir(other, "local", "", options_);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(*second, *dir);
}

TEST_F(RuntimeDirTest, AForcedDirIsUsedAndCheckedByTheCaller) {
  const std::string forced = home_ + "/runtime";
  absl::StatusOr<std::string> dir =
      ResolveRuntimeDir(open_state_, "local", forced, options_);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(*dir, forced);
  EXPECT_TRUE(fs::is_directory(forced));
  const absl::Status reach = CheckTargetsCanReach(*dir, options_);
  EXPECT_EQ(reach.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(reach.message(), HasSubstr(home_ + " is not searchable"));
  // The operator's dir stays when the worker stops; the folders the worker
  // made in it go.
  fs::create_directories(forced + "/run");
  ReleaseRuntimeDir(*dir, open_state_, options_);
  EXPECT_TRUE(fs::is_directory(forced));
  EXPECT_FALSE(fs::exists(forced + "/run"));
}

TEST_F(RuntimeDirTest, ABaseThatIsALinkIsRefused) {
  fs::create_directories(top_ + "/elsewhere");
  fs::create_directory_symlink(top_ + "/elsewhere", options_.base);
  absl::StatusOr<std::string> dir =
      ResolveRuntimeDir(closed_state_, "local", "", options_);
  EXPECT_EQ(dir.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(dir.status().message(), HasSubstr(options_.base));
}

TEST_F(RuntimeDirTest, ReleaseRemovesAnEmptyRuntimeDirAndTheBase) {
  absl::StatusOr<std::string> dir =
      ResolveRuntimeDir(closed_state_, "local", "", options_);
  ASSERT_TRUE(dir.ok()) << dir.status();
  fs::create_directories(*dir + "/run");
  fs::create_directories(*dir + "/targets");
  ReleaseRuntimeDir(*dir, closed_state_, options_);
  EXPECT_FALSE(fs::exists(*dir));
  EXPECT_FALSE(fs::exists(options_.base));
  ReleaseRuntimeDir(*dir, closed_state_, options_);  // Idempotent.
}

TEST_F(RuntimeDirTest, ReleaseKeepsWhatATargetStillHas) {
  absl::StatusOr<std::string> dir =
      ResolveRuntimeDir(closed_state_, "local", "", options_);
  ASSERT_TRUE(dir.ok()) << dir.status();
  fs::create_directories(*dir + "/targets/scalebench-local-t0");
  std::ofstream(*dir + "/targets/scalebench-local-t0/nginx.conf") << "x";
  ReleaseRuntimeDir(*dir, closed_state_, options_);
  EXPECT_TRUE(fs::exists(*dir + "/targets/scalebench-local-t0/nginx.conf"));
}

TEST_F(RuntimeDirTest, ReleaseLeavesTheStateDirAlone) {
  ReleaseRuntimeDir(open_state_, open_state_, options_);
  EXPECT_TRUE(fs::is_directory(open_state_));
}

}  // namespace
}  // namespace scalebench::worker
