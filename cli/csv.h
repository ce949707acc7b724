// A CSV table of measurements, read whole: a header row of column names,
// then one row per measurement. Quoted fields ("a, b", "say ""hi""") may
// hold commas, quotes and newlines; unquoted cells are trimmed of spaces;
// blank lines and lines starting with '#' are skipped. Every problem is
// reported with the file name and line, so a user can go and fix it.
// ToRowTable() hands the rows to the analysis library.
//
// Immutable once read; concurrent const use is safe.
#ifndef SCALEBENCH_CLI_CSV_H_
#define SCALEBENCH_CLI_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "analysis/row_table.h"

namespace scalebench::cli {

class CsvTable final {
 public:
  // Reads and parses the file at `path`. NOT_FOUND when it cannot be
  // opened; otherwise as Parse.
  static absl::StatusOr<CsvTable> Read(const std::string& path);

  // Parses `text`; `source` names it in messages. INVALID_ARGUMENT when
  // there is no header row, a column name is empty or repeated, a quote is
  // not closed, or a row's cell count differs from the header's.
  static absl::StatusOr<CsvTable> Parse(absl::string_view text,
                                        absl::string_view source);

  const std::string& source() const { return source_; }
  const std::vector<std::string>& columns() const { return columns_; }
  size_t row_count() const { return rows_.size(); }

  // The cell's text. Requires row < row_count() and a valid column.
  const std::string& Cell(size_t row, int column) const {
    return rows_[row].cells[column];
  }
  // The line of the file where the row starts (from 1).
  int Line(size_t row) const { return rows_[row].line; }

  // The table to fit models to: the same columns and rows, each cell's
  // number read from its text when it is a finite number, each row's
  // origin "SOURCE:LINE".
  analysis::RowTable ToRowTable() const;

 private:
  struct Row {
    int line = 0;
    std::vector<std::string> cells;
  };

  CsvTable() = default;

  std::string source_;
  std::vector<std::string> columns_;
  std::vector<Row> rows_;
};

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_CSV_H_
