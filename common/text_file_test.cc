#include "common/text_file.h"

#include <fstream>
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

}  // namespace
}  // namespace scalebench
