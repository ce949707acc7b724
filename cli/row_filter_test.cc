#include "cli/row_filter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(RowFilterTest, ParsesColumnAndValues) {
  absl::StatusOr<RowFilter> filter =
      RowFilter::Parse(" hosts = 2, 3 ", "--test");
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->column(), "hosts");
  EXPECT_THAT(filter->values(), ElementsAre("2", "3"));
  EXPECT_EQ(filter->text(), "hosts = 2, 3");
}

TEST(RowFilterTest, MatchesNumbersNumericallyAndTextExactly) {
  const RowFilter numbers = *RowFilter::Parse("hosts=2,3", "--test");
  EXPECT_TRUE(numbers.Matches("2"));
  EXPECT_TRUE(numbers.Matches("3.0"));
  EXPECT_FALSE(numbers.Matches("1"));
  const RowFilter words = *RowFilter::Parse("platform=docker", "--train");
  EXPECT_TRUE(words.Matches("docker"));
  EXPECT_FALSE(words.Matches("Docker"));
}

TEST(RowFilterTest, MalformedExpressionsAreRejected) {
  for (const char* bad : {"hosts", "=1", "hosts=", "hosts=1,,2"}) {
    EXPECT_THAT(RowFilter::Parse(bad, "--train").status().message(),
                HasSubstr("--train expects COLUMN=VALUE[,VALUE...]"))
        << bad;
  }
}

}  // namespace
}  // namespace scalebench::cli
