#include "common/flag_values.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseDurationTextTest, AcceptsUnitsAndBareSeconds) {
  EXPECT_EQ(*ParseDurationText("30s"), absl::Seconds(30));
  EXPECT_EQ(*ParseDurationText("500ms"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseDurationText("2m"), absl::Minutes(2));
  EXPECT_EQ(*ParseDurationText("1h30m"), absl::Minutes(90));
  EXPECT_EQ(*ParseDurationText("0.25"), absl::Milliseconds(250));
  EXPECT_EQ(*ParseDurationText("0"), absl::ZeroDuration());
}

TEST(ParseDurationTextTest, RejectsNegativeHugeAndMalformed) {
  EXPECT_THAT(ParseDurationText("-1s").status().message(),
              HasSubstr("negative"));
  EXPECT_THAT(ParseDurationText("1000000h").status().message(),
              HasSubstr("longer than the maximum"));
  EXPECT_THAT(ParseDurationText("1e300").status().message(),
              HasSubstr("longer than the maximum"));
  EXPECT_FALSE(ParseDurationText("inf").ok());
  EXPECT_FALSE(ParseDurationText("nan").ok());
  EXPECT_THAT(ParseDurationText("3x").status().message(),
              HasSubstr("'3x' is not a duration such as 30s"));
  EXPECT_FALSE(ParseDurationText("").ok());
}

TEST(ParseCpuListTextTest, ExpandsRanges) {
  EXPECT_THAT(*ParseCpuListText("0,2-3"), ElementsAre(0, 2, 3));
  EXPECT_THAT(*ParseCpuListText("5"), ElementsAre(5));
}

TEST(ParseCpuListTextTest, RejectsBadListsAndDuplicates) {
  for (const char* bad : {"", "a", "3-1", "-1", "1,,2", "0-4096", "1-2-3"}) {
    EXPECT_FALSE(ParseCpuListText(bad).ok()) << bad;
  }
  EXPECT_THAT(ParseCpuListText("0-2,1").status().message(),
              HasSubstr("core 1 twice"));
}

TEST(ParseInstantTextTest, AcceptsRfc3339AndUnixSeconds) {
  EXPECT_EQ(*ParseInstantText("1700000000.5"),
            absl::FromUnixMillis(1700000000500));
  EXPECT_EQ(*ParseInstantText("2023-11-14T22:13:20Z"),
            absl::FromUnixSeconds(1700000000));
  EXPECT_FALSE(ParseInstantText("yesterday").ok());
}

}  // namespace
}  // namespace scalebench
