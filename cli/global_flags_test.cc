#include "cli/global_flags.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::ElementsAre;

const std::vector<std::string> kCommands = {"workers", "schedule", "status"};

TEST(HoistGlobalFlagsTest, MovesLeadingGlobalFlagsAfterTheCommand) {
  EXPECT_THAT(HoistGlobalFlags({"--coordinator", "c:1", "workers"}, kCommands),
              ElementsAre("workers", "--coordinator", "c:1"));
  EXPECT_THAT(HoistGlobalFlags({"--ca", "ca.pem", "--cert=c.pem", "--key",
                                "k.pem", "-o", "json", "schedule", "list"},
                               kCommands),
              ElementsAre("schedule", "list", "--ca", "ca.pem", "--cert=c.pem",
                          "--key", "k.pem", "-o", "json"));
  EXPECT_THAT(
      HoistGlobalFlags({"-ojson", "--output=text", "status"}, kCommands),
      ElementsAre("status", "-ojson", "--output=text"));
}

TEST(HoistGlobalFlagsTest, TheFlagAfterTheCommandWins) {
  EXPECT_THAT(HoistGlobalFlags({"--coordinator", "a:1", "-o", "json", "status",
                                "--coordinator=b:2"},
                               kCommands),
              ElementsAre("status", "--coordinator=b:2", "-o", "json"));
  EXPECT_THAT(
      HoistGlobalFlags({"--output", "json", "status", "-o", "text"}, kCommands),
      ElementsAre("status", "-o", "text"));
}

TEST(HoistGlobalFlagsTest, StopsAtDoubleDash) {
  EXPECT_THAT(
      HoistGlobalFlags({"--key", "k", "status", "x", "--", "--key"}, kCommands),
      ElementsAre("status", "x", "--key", "k", "--", "--key"));
}

TEST(HoistGlobalFlagsTest, LeavesEverythingElseToTheParser) {
  const std::vector<std::vector<std::string>> unchanged = {
      {},
      {"workers", "--coordinator", "c:1"},
      {"--help", "workers"},
      {"--coordinator", "c:1"},
      {"--coordinator"},
      {"--coordinator", "c:1", "nosuch"},
      {"--bogus", "workers"},
      {"--coordinator", "c:1", "--bogus", "workers"},
  };
  for (const std::vector<std::string>& args : unchanged) {
    EXPECT_EQ(HoistGlobalFlags(args, kCommands), args);
  }
}

}  // namespace
}  // namespace scalebench::cli
