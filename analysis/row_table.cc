#include "analysis/row_table.h"

#include <charconv>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace scalebench::analysis {

Cell Cell::FromText(std::string text) {
  Cell cell;
  double value;
  if (absl::SimpleAtod(text, &value) && std::isfinite(value)) {
    cell.number = value;
  }
  cell.text = std::move(text);
  return cell;
}

Cell Cell::FromNumber(double value) {
  char buffer[32];
  const std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof(buffer), value);
  Cell cell;
  cell.text.assign(buffer, result.ptr);
  if (std::isfinite(value)) cell.number = value;
  return cell;
}

absl::StatusOr<RowTable> RowTable::Create(std::string source,
                                          std::vector<std::string> columns) {
  absl::flat_hash_set<std::string> seen;
  for (const std::string& name : columns) {
    if (name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": a column name is empty"));
    }
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": column '", name, "' is named twice"));
    }
  }
  RowTable table;
  table.source_ = std::move(source);
  table.columns_ = std::move(columns);
  return table;
}

absl::Status RowTable::AddRow(std::vector<Cell> cells, std::string origin) {
  if (cells.size() != columns_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ": ", cells.size(), " cells, but the table has ",
                     columns_.size(), " columns"));
  }
  rows_.push_back({std::move(cells), std::move(origin)});
  return absl::OkStatus();
}

std::optional<int> RowTable::FindColumn(absl::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

absl::StatusOr<double> RowTable::Number(size_t row, int column) const {
  const Cell& c = cell(row, column);
  if (c.number.has_value()) return *c.number;
  const std::string where =
      absl::StrCat(origin(row), ": column '", columns_[column], "'");
  if (c.text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " is empty"));
  }
  double value;
  if (absl::SimpleAtod(c.text, &value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, " holds '", c.text, "', which is not a finite number"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(where, " holds '", c.text, "', which is not a number"));
}

}  // namespace scalebench::analysis
