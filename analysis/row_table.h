// A table of observations to fit models to: named columns, one row per
// observation. A cell holds its text (a factor's level as written:
// "docker", "2") and, when it is one, a finite number (for x and y). Not
// tied to any file format: `scalebench fit` converts a CSV file into it,
// the coordinator its trial results. Each row says where it came from
// ("results.csv:12", a trial's name), so problems can be traced back.
//
// Immutable once filled; concurrent const use is safe.
#ifndef SCALEBENCH_ANALYSIS_ROW_TABLE_H_
#define SCALEBENCH_ANALYSIS_ROW_TABLE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace scalebench::analysis {

// One cell of a RowTable.
struct Cell {
  // The text as written; `number` parsed from it when it is a finite
  // number ("2.0" -> 2), unset otherwise ("docker", "", "nan").
  static Cell FromText(std::string text);
  // A number; `text` is its shortest round-trip spelling (4 -> "4"). A
  // value that is not finite gives a cell without a number.
  static Cell FromNumber(double value);

  std::string text;
  std::optional<double> number;
};

class RowTable final {
 public:
  // An empty table with these columns. `source` names the whole table in
  // messages ("results.csv"); may be empty. INVALID_ARGUMENT when a column
  // name is empty or repeated.
  static absl::StatusOr<RowTable> Create(std::string source,
                                         std::vector<std::string> columns);

  // Appends a row; `origin` says where it came from, for messages
  // ("results.csv:12"; may be empty). INVALID_ARGUMENT when the number of
  // cells differs from the number of columns.
  absl::Status AddRow(std::vector<Cell> cells, std::string origin);

  const std::string& source() const { return source_; }
  const std::vector<std::string>& columns() const { return columns_; }
  size_t row_count() const { return rows_.size(); }

  // The index of the column named `name`; absent when there is none.
  std::optional<int> FindColumn(absl::string_view name) const;

  // Require row < row_count() and 0 <= column < columns().size().
  const Cell& cell(size_t row, int column) const {
    return rows_[row].cells[column];
  }
  const std::string& origin(size_t row) const { return rows_[row].origin; }

  // The cell's number. INVALID_ARGUMENT "ORIGIN: column 'c' ..." when it
  // is empty, not a number, or not finite.
  absl::StatusOr<double> Number(size_t row, int column) const;

 private:
  struct Row {
    std::vector<Cell> cells;
    std::string origin;
  };

  RowTable() = default;

  std::string source_;
  std::vector<std::string> columns_;
  std::vector<Row> rows_;
};

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_ROW_TABLE_H_
