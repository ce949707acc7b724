#include "analysis/row_table.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

using ::testing::HasSubstr;

TEST(CellTest, TextCellsCarryANumberOnlyWhenTheyAreFinite) {
  EXPECT_EQ(Cell::FromText("2.0").number, 2.0);
  EXPECT_EQ(Cell::FromText(" 7 ").text, " 7 ");
  EXPECT_FALSE(Cell::FromText("docker").number.has_value());
  EXPECT_FALSE(Cell::FromText("").number.has_value());
  EXPECT_FALSE(Cell::FromText("nan").number.has_value());
  EXPECT_FALSE(Cell::FromText("inf").number.has_value());
}

TEST(CellTest, NumberCellsAreSpelledShortestRoundTrip) {
  EXPECT_EQ(Cell::FromNumber(4).text, "4");
  EXPECT_EQ(Cell::FromNumber(0.1).text, "0.1");
  EXPECT_EQ(Cell::FromNumber(1234.5678).text, "1234.5678");
  EXPECT_EQ(Cell::FromNumber(1234.5678).number, 1234.5678);
}

TEST(RowTableTest, ColumnsMustBeNamedOnce) {
  EXPECT_THAT(RowTable::Create("t.csv", {"a", "a"}).status().message(),
              HasSubstr("t.csv: column 'a' is named twice"));
  EXPECT_THAT(RowTable::Create("t.csv", {"a", ""}).status().message(),
              HasSubstr("a column name is empty"));
}

TEST(RowTableTest, RowsHoldCellsAndTheirOrigin) {
  absl::StatusOr<RowTable> table = RowTable::Create("t", {"platform", "rps"});
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_TRUE(
      table->AddRow({Cell::FromText("xen"), Cell::FromNumber(10)}, "trial 3")
          .ok());
  EXPECT_EQ(table->AddRow({Cell::FromText("xen")}, "trial 4").code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(table->row_count(), 1u);
  EXPECT_EQ(table->FindColumn("rps"), 1);
  EXPECT_FALSE(table->FindColumn("n").has_value());
  EXPECT_EQ(table->cell(0, 0).text, "xen");
  EXPECT_EQ(table->origin(0), "trial 3");
  EXPECT_EQ(*table->Number(0, 1), 10.0);
}

TEST(RowTableTest, CellsThatAreNotNumbersAreNamedWithTheirOrigin) {
  absl::StatusOr<RowTable> table = RowTable::Create("d.csv", {"x", "y"});
  ASSERT_TRUE(table.ok());
  for (const char* text : {"", "nan", "fast"}) {
    ASSERT_TRUE(
        table->AddRow({Cell::FromText("1"), Cell::FromText(text)}, "d.csv:2")
            .ok());
  }
  EXPECT_EQ(table->Number(0, 1).status().message(),
            "d.csv:2: column 'y' is empty");
  EXPECT_EQ(table->Number(1, 1).status().message(),
            "d.csv:2: column 'y' holds 'nan', which is not a finite number");
  EXPECT_EQ(table->Number(2, 1).status().message(),
            "d.csv:2: column 'y' holds 'fast', which is not a number");
}

}  // namespace
}  // namespace scalebench::analysis
