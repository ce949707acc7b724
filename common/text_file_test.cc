#include "common/text_file.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <string>

#include "gtest/gtest.h"

namespace scalebench {
namespace {

TEST(ReadTextFileTest, ReadsEveryByte) {
  const std::string path = ::testing::TempDir() + "/text_file_test.txt";
  const std::string contents("line 1\nline 2\0with a nul\n", 25);
  std::ofstream(path, std::ios::binary) << contents;
  absl::StatusOr<std::string> read = ReadTextFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, contents);
}

TEST(ReadTextFileTest, MissingFileIsNotFoundAndNamesThePath) {
  const std::string path = ::testing::TempDir() + "/no-such-file";
  absl::StatusOr<std::string> read = ReadTextFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(read.status().message().find(path), std::string::npos);
}

TEST(ReadRegularFileTest, ReadsAFileOfAtMostTheBound) {
  const std::string path = ::testing::TempDir() + "/regular_file_test.txt";
  std::ofstream(path, std::ios::binary) << "12345";
  absl::StatusOr<std::string> read = ReadRegularFile(path, 5);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "12345");
  EXPECT_EQ(ReadRegularFile(path, 4).status().message(),
            path + ": larger than 4 bytes");
  std::remove(path.c_str());
}

TEST(ReadRegularFileTest, RefusesWhatIsNotARegularFileBeforeReading) {
  const std::string fifo = ::testing::TempDir() + "/regular_file_test.fifo";
  std::remove(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // No writer: opening it for a plain read would wait forever. The
  // deadline only ends a test that regressed.
  std::future<absl::StatusOr<std::string>> read = std::async(
      std::launch::async, [&] { return ReadRegularFile(fifo, 100); });
  if (read.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    std::ofstream(fifo) << "x";
    ADD_FAILURE() << "ReadRegularFile waited for a writer";
  }
  EXPECT_EQ(read.get().status().message(),
            fifo + ": not a regular file (a FIFO)");
  std::remove(fifo.c_str());

  const absl::Status dir = ReadRegularFile(::testing::TempDir(), 100).status();
  EXPECT_EQ(dir.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(dir.message().find("not a regular file (a directory)"),
            std::string::npos);
  EXPECT_EQ(ReadRegularFile("/dev/zero", 100).status().message(),
            "/dev/zero: not a regular file (a character device)");
  EXPECT_EQ(ReadRegularFile("/nonexistent/file", 100).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace scalebench
