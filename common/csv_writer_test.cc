#include "common/csv_writer.h"

#include "gtest/gtest.h"

namespace scalebench {
namespace {

TEST(CsvFieldTest, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
}

TEST(CsvRowTest, JoinsQuotedCellsAndEndsTheLine) {
  EXPECT_EQ(CsvRow({"a", "b,c", ""}), "a,\"b,c\",\n");
  EXPECT_EQ(CsvRow({}), "\n");
}

}  // namespace
}  // namespace scalebench
