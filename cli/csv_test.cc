#include "cli/csv.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CsvTableTest, ParsesHeaderRowsQuotesAndComments) {
  absl::StatusOr<CsvTable> table = CsvTable::Parse(
      "# a comment\n"
      "platform, instances ,rps\r\n"
      "\n"
      "docker,1,1000.5\n"
      "\"xen, pv\",2,\"1,9\"\"5\"\n",
      "t.csv");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_THAT(table->columns(), ElementsAre("platform", "instances", "rps"));
  ASSERT_EQ(table->row_count(), 2u);
  EXPECT_EQ(table->Line(0), 4);
  EXPECT_EQ(table->Cell(1, 0), "xen, pv");
  EXPECT_EQ(table->Cell(1, 2), "1,9\"5");
}

TEST(CsvTableTest, ToRowTableKeepsTextReadsNumbersAndNamesLines) {
  absl::StatusOr<CsvTable> csv = CsvTable::Parse(
      "# a comment\nplatform,instances,rps\ndocker,1,1000.5\n", "t.csv");
  ASSERT_TRUE(csv.ok()) << csv.status();
  const analysis::RowTable table = csv->ToRowTable();
  EXPECT_EQ(table.source(), "t.csv");
  EXPECT_THAT(table.columns(), ElementsAre("platform", "instances", "rps"));
  ASSERT_EQ(table.row_count(), 1u);
  EXPECT_EQ(table.origin(0), "t.csv:3");
  EXPECT_EQ(table.cell(0, 0).text, "docker");
  EXPECT_FALSE(table.cell(0, 0).number.has_value());
  EXPECT_EQ(table.cell(0, 1).text, "1");
  EXPECT_EQ(table.cell(0, 2).number, 1000.5);
}

TEST(CsvTableTest, QuotedNewlinesKeepLineNumbersRight) {
  absl::StatusOr<CsvTable> table =
      CsvTable::Parse("a,b\n\"x\ny\",1\n2,oops\n", "t.csv");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->Line(1), 4);
  EXPECT_THAT(table->ToRowTable().Number(1, 1).status().message(),
              HasSubstr("t.csv:4: column 'b' holds 'oops', which is not a "
                        "number"));
}

TEST(CsvTableTest, ProblemsNameTheFileLineAndColumn) {
  absl::StatusOr<CsvTable> csv =
      CsvTable::Parse("x,y\n1,\n2,nan\n3,inf\n", "d.csv");
  ASSERT_TRUE(csv.ok());
  const analysis::RowTable table = csv->ToRowTable();
  EXPECT_THAT(table.Number(0, 1).status().message(),
              HasSubstr("d.csv:2: column 'y' is empty"));
  EXPECT_THAT(table.Number(1, 1).status().message(),
              HasSubstr("d.csv:3: column 'y' holds 'nan'"));
  EXPECT_THAT(table.Number(2, 1).status().message(),
              HasSubstr("not a finite number"));
}

TEST(CsvTableTest, MalformedFilesAreRejected) {
  EXPECT_THAT(CsvTable::Parse("", "e.csv").status().message(),
              HasSubstr("e.csv: no header row"));
  EXPECT_THAT(CsvTable::Parse("a,b\n1,2,3\n", "e.csv").status().message(),
              HasSubstr("e.csv:2: 3 cells, but the header has 2 columns"));
  EXPECT_THAT(CsvTable::Parse("a,a\n", "e.csv").status().message(),
              HasSubstr("repeats column 'a'"));
  EXPECT_THAT(CsvTable::Parse("a,b\n\"1,2\n", "e.csv").status().message(),
              HasSubstr("e.csv:2: a quoted cell is never closed"));
  EXPECT_EQ(CsvTable::Read("/nonexistent/file.csv").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace scalebench::cli
