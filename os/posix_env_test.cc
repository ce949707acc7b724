// The real Env's files and directories, in a temp dir.
#include "os/posix_env.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::os {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class PosixFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/posix_env_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { (void)env_.RemoveTree(dir_); }

  mode_t Mode(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
  }

  PosixEnv env_{Clock::Real()};
  std::string dir_;
};

TEST_F(PosixFilesTest, WritesAFileAtomicallyWithItsModeAndNoTemporaryLeft) {
  const std::string path = dir_ + "/a.conf";
  ASSERT_TRUE(env_.WriteFileAtomically(path, "one", 0600).ok());
  ASSERT_TRUE(env_.WriteFileAtomically(path, "two", 0644).ok());
  EXPECT_EQ(*env_.ReadFile(path, 100), "two");
  EXPECT_EQ(Mode(path), 0644u);
  EXPECT_THAT(*env_.ListDir(dir_), ElementsAre("a.conf"));
}

TEST_F(PosixFilesTest, AWriteIntoAMissingDirectoryNamesThePath) {
  absl::Status status = env_.WriteFileAtomically(dir_ + "/no/a", "x", 0644);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr(dir_ + "/no/a"));
}

TEST_F(PosixFilesTest, MakesDirectoriesWithParentsAndTheModeAsked) {
  const std::string path = dir_ + "/a/b/c";
  ASSERT_TRUE(env_.MakeDirs(path, 0700).ok());
  EXPECT_EQ(Mode(path), 0700u);
  ASSERT_TRUE(env_.MakeDirs(path, 0755).ok());  // Exists: OK.
  EXPECT_EQ(Mode(path), 0755u);
  ASSERT_TRUE(env_.WriteFileAtomically(dir_ + "/f", "", 0644).ok());
  EXPECT_FALSE(env_.MakeDirs(dir_ + "/f/g", 0755).ok());
}

TEST_F(PosixFilesTest, ReadsBoundedFilesAndTails) {
  const std::string path = dir_ + "/log";
  ASSERT_TRUE(env_.WriteFileAtomically(path, "0123456789\n", 0644).ok());
  EXPECT_EQ(env_.ReadFile(path, 5).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(env_.ReadFile(dir_ + "/none", 5).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(env_.ReadFileTail(path, 4), "...789");
  EXPECT_EQ(env_.ReadFileTail(path, 100), "0123456789");
  EXPECT_EQ(env_.ReadFileTail(dir_ + "/none", 100), "");
  EXPECT_TRUE(env_.FileExists(path));
  EXPECT_FALSE(env_.FileExists(dir_));
}

TEST_F(PosixFilesTest, RemovesFilesAndTreesIdempotently) {
  ASSERT_TRUE(env_.MakeDirs(dir_ + "/t/u", 0755).ok());
  ASSERT_TRUE(env_.WriteFileAtomically(dir_ + "/t/u/f", "x", 0644).ok());
  ASSERT_TRUE(env_.RemoveFile(dir_ + "/t/u/f").ok());
  ASSERT_TRUE(env_.RemoveFile(dir_ + "/t/u/f").ok());
  ASSERT_TRUE(env_.RemoveTree(dir_ + "/t").ok());
  ASSERT_TRUE(env_.RemoveTree(dir_ + "/t").ok());
  EXPECT_EQ(env_.ListDir(dir_ + "/t").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(PosixFilesTest, FindsExecutablesOnPathAndByPath) {
  EXPECT_TRUE(env_.IsExecutable("sh"));
  EXPECT_TRUE(env_.IsExecutable("/bin/sh"));
  EXPECT_FALSE(env_.IsExecutable("scalebench-no-such-program"));
  EXPECT_FALSE(env_.IsExecutable(dir_));
}

TEST_F(PosixFilesTest, ReadsLinks) {
  ASSERT_EQ(symlink("target", (dir_ + "/l").c_str()), 0);
  EXPECT_EQ(*env_.ReadLink(dir_ + "/l"), "target");
  EXPECT_FALSE(env_.ReadLink(dir_ + "/none").ok());
}

}  // namespace
}  // namespace scalebench::os
