#include "cli/csv.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A file in the test's temp dir holding `contents`; its path.
std::string WriteFile(const std::string& name, const std::string& contents) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

TEST(CsvTest, ParsesHeaderRowsQuotesAndComments) {
  absl::StatusOr<analysis::RowTable> table = ParseCsv(
      "# a comment\n"
      "platform, instances ,rps\r\n"
      "\n"
      "docker,1,1000.5\n"
      "\"xen, pv\",2,\"1,9\"\"5\"\n",
      "t.csv");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_THAT(table->columns(), ElementsAre("platform", "instances", "rps"));
  ASSERT_EQ(table->row_count(), 2u);
  EXPECT_EQ(table->origin(0), "t.csv:4");
  EXPECT_EQ(table->cell(1, 0).text, "xen, pv");
  EXPECT_EQ(table->cell(1, 2).text, "1,9\"5");
}

TEST(CsvTest, KeepsTextReadsNumbersAndNamesLines) {
  absl::StatusOr<analysis::RowTable> table = ParseCsv(
      "# a comment\nplatform,instances,rps\ndocker,1,1000.5\n", "t.csv");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->source(), "t.csv");
  EXPECT_THAT(table->columns(), ElementsAre("platform", "instances", "rps"));
  ASSERT_EQ(table->row_count(), 1u);
  EXPECT_EQ(table->origin(0), "t.csv:3");
  EXPECT_EQ(table->cell(0, 0).text, "docker");
  EXPECT_FALSE(table->cell(0, 0).number.has_value());
  EXPECT_EQ(table->cell(0, 1).text, "1");
  EXPECT_EQ(table->cell(0, 2).number, 1000.5);
}

TEST(CsvTest, QuotedNewlinesKeepLineNumbersRight) {
  for (absl::string_view eol : {"\n", "\r\n", "\r"}) {
    absl::StatusOr<analysis::RowTable> table = ParseCsv(
        absl::StrCat("a,b", eol, "\"x", eol, "y\",1", eol, "2,oops", eol),
        "t.csv");
    ASSERT_TRUE(table.ok()) << table.status();
    EXPECT_EQ(table->cell(0, 0).text, absl::StrCat("x", eol, "y"));
    EXPECT_EQ(table->origin(1), "t.csv:4");
    EXPECT_THAT(
        table->Number(1, 1).status().message(),
        HasSubstr("t.csv:4: column 'b' holds 'oops', which is not a number"));
  }
}

TEST(CsvTest, ProblemsNameTheFileLineAndColumn) {
  absl::StatusOr<analysis::RowTable> table =
      ParseCsv("x,y\n1,\n2,nan\n3,inf\n", "d.csv");
  ASSERT_TRUE(table.ok());
  EXPECT_THAT(table->Number(0, 1).status().message(),
              HasSubstr("d.csv:2: column 'y' is empty"));
  EXPECT_THAT(table->Number(1, 1).status().message(),
              HasSubstr("d.csv:3: column 'y' holds 'nan'"));
  EXPECT_THAT(table->Number(2, 1).status().message(),
              HasSubstr("not a finite number"));
}

TEST(CsvTest, MalformedFilesAreRejected) {
  EXPECT_THAT(ParseCsv("", "e.csv").status().message(),
              HasSubstr("e.csv: no header row"));
  EXPECT_THAT(ParseCsv("a,b\n1,2,3\n", "e.csv").status().message(),
              HasSubstr("e.csv:2: 3 cells, but the header has 2 columns"));
  EXPECT_THAT(ParseCsv("a,a\n", "e.csv").status().message(),
              HasSubstr("repeats column 'a'"));
  EXPECT_THAT(ParseCsv("a,b\n\"1,2\n", "e.csv").status().message(),
              HasSubstr("e.csv:2: a quoted cell is never closed"));
  EXPECT_THAT(ParseCsv("a,b\n\"1\"x,2\n", "e.csv").status().message(),
              HasSubstr("e.csv:2: text after a closing quote"));
  EXPECT_EQ(ReadCsvFile("/nonexistent/file.csv").status().code(),
            absl::StatusCode::kNotFound);
}

// Issue 25: CR-only line endings made every line scan the rest of the file
// (400,000 rows took 15 s). The three endings give the same table; 200,000
// CR-only rows are all read, with the right lines. (ctest's timeout guards
// against the quadratic scan coming back.)
TEST(CsvTest, LfCrlfAndCrOnlyLineEndingsReadTheSame) {
  for (absl::string_view eol : {"\n", "\r\n", "\r"}) {
    absl::StatusOr<analysis::RowTable> table =
        ParseCsv(absl::StrCat("# c", eol, "n,rps", eol, eol, "1,10", eol, "  ",
                              eol, "# comment", eol, "2,20"),
                 "e.csv");
    ASSERT_TRUE(table.ok()) << table.status();
    EXPECT_THAT(table->columns(), ElementsAre("n", "rps"));
    ASSERT_EQ(table->row_count(), 2u);
    EXPECT_EQ(table->origin(0), "e.csv:4");
    EXPECT_EQ(table->origin(1), "e.csv:7");
    EXPECT_EQ(table->cell(1, 1).number, 20);
  }
  constexpr int kRows = 200'000;
  std::string text = "# CR only\rn,rps\r";
  for (int i = 0; i < kRows; ++i) absl::StrAppend(&text, i, ",", 2 * i, "\r");
  const std::string path = WriteFile("cr-only.csv", text);
  absl::StatusOr<analysis::RowTable> table = ReadCsvFile(path);
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->row_count(), static_cast<size_t>(kRows));
  EXPECT_EQ(table->origin(kRows - 1), absl::StrCat(path, ":", kRows + 2));
  EXPECT_EQ(table->cell(kRows - 1, 1).number, 2.0 * (kRows - 1));
}

// Issue 25: a byte order mark joined the first column's name.
TEST(CsvTest, AByteOrderMarkIsNotPartOfTheFirstColumnName) {
  const std::string path = WriteFile("bom.csv", "\xEF\xBB\xBFn,rps\n1,10\n");
  absl::StatusOr<analysis::RowTable> table = ReadCsvFile(path);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_THAT(table->columns(), ElementsAre("n", "rps"));
  EXPECT_TRUE(table->FindColumn("n").has_value());
  // Only at the start: elsewhere the bytes are text.
  absl::StatusOr<analysis::RowTable> inner =
      ParseCsv("n,rps\n\xEF\xBB\xBFx,1\n", "b.csv");
  ASSERT_TRUE(inner.ok()) << inner.status();
  EXPECT_EQ(inner->cell(0, 0).text, "\xEF\xBB\xBFx");
}

// Issue 25: /dev/zero was read until the allocation failed (bad_alloc).
TEST(CsvTest, DevicesAreRefusedAsNotRegularFiles) {
  const absl::StatusOr<analysis::RowTable> zero = ReadCsvFile("/dev/zero");
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(zero.status().message(),
            "/dev/zero: not a regular file (a character device)");
}

// A FIFO is refused at once, with or without a writer: it cannot hang.
TEST(CsvTest, AFifoIsRefusedWithoutWaitingForAWriter) {
  const std::string path = ::testing::TempDir() + "/csv-fifo";
  unlink(path.c_str());
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  const absl::StatusOr<analysis::RowTable> fifo = ReadCsvFile(path);
  EXPECT_EQ(fifo.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(fifo.status().message(),
              HasSubstr(path + ": not a regular file (a FIFO)"));
  unlink(path.c_str());
}

// Issue 25: a directory was "the file is empty".
TEST(CsvTest, ADirectoryIsNamedAsOne) {
  const std::string dir = ::testing::TempDir();
  const absl::StatusOr<analysis::RowTable> table = ReadCsvFile(dir);
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(table.status().message(),
            absl::StrCat(dir, ": not a regular file (a directory)"));
}

// Issue 25: a 100 MB file took 2.7 GB. A file over the limit is refused
// from its size, before a byte is read (the file is sparse: cheap to make).
TEST(CsvTest, AFileOverTheSizeLimitIsRefusedNamingTheLimit) {
  const std::string path = WriteFile("huge.csv", "n,rps\n");
  std::filesystem::resize_file(path, kMaxCsvBytes + 1);
  const absl::StatusOr<analysis::RowTable> table = ReadCsvFile(path);
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(table.status().message(),
            absl::StrCat(path, ": ", kMaxCsvBytes + 1,
                         " bytes, larger than 32 MiB, the most a CSV file "
                         "may have"));
  // Exactly at the limit it is read, and its NUL bytes are one long cell.
  std::filesystem::resize_file(path, kMaxCsvBytes);
  EXPECT_THAT(ReadCsvFile(path).status().message(),
              HasSubstr(absl::StrCat(path, ":2: a cell longer than 64 KiB")));
  std::filesystem::remove(path);
}

// The same limit on text parsed from memory, and on the rows, cells and
// cell size of a file within it.
TEST(CsvTest, RowCellAndCellSizeLimitsAreEnforced) {
  EXPECT_THAT(
      ParseCsv(std::string(kMaxCsvBytes + 1, '\n'), "m.csv").status().message(),
      HasSubstr("m.csv: larger than 32 MiB"));

  std::string rows = "n\n";
  for (size_t i = 0; i <= kMaxCsvRows; ++i) rows += "1\n";
  EXPECT_EQ(ParseCsv(rows, "r.csv").status().message(),
            absl::StrCat("r.csv:", kMaxCsvRows + 2, ": more than ", kMaxCsvRows,
                         " rows, the most a CSV file may have"));
  rows.resize(rows.size() - 2);
  absl::StatusOr<analysis::RowTable> most = ParseCsv(rows, "r.csv");
  ASSERT_TRUE(most.ok()) << most.status();
  EXPECT_EQ(most->row_count(), kMaxCsvRows);

  constexpr size_t kColumns = 10;
  std::string cells = "a,b,c,d,e,f,g,h,i,j\n";
  const size_t rows_of_cells = kMaxCsvCells / kColumns;  // header included
  for (size_t i = 0; i < rows_of_cells; ++i) cells += "1,2,3,4,5,6,7,8,9,0\n";
  EXPECT_EQ(ParseCsv(cells, "c.csv").status().message(),
            absl::StrCat("c.csv:", rows_of_cells + 1, ": more than ",
                         kMaxCsvCells, " cells, the most a CSV file may have"));

  EXPECT_EQ(
      ParseCsv(absl::StrCat("n\n", std::string(kMaxCsvCellBytes + 1, 'x')),
               "l.csv")
          .status()
          .message(),
      "l.csv:2: a cell longer than 64 KiB, the most a CSV cell may have");
  absl::StatusOr<analysis::RowTable> longest = ParseCsv(
      absl::StrCat("n\n\"", std::string(kMaxCsvCellBytes, 'x'), "\""), "l.csv");
  ASSERT_TRUE(longest.ok()) << longest.status();
  EXPECT_EQ(longest->cell(0, 0).text.size(), kMaxCsvCellBytes);
}

}  // namespace
}  // namespace scalebench::cli
