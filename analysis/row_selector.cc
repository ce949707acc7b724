#include "analysis/row_selector.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace scalebench::analysis {
namespace {

std::vector<std::string> SortedFactorNames(const v1::RowFilter& filter) {
  std::vector<std::string> names;
  for (const auto& [name, values] : filter.factors()) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

absl::StatusOr<RowSelector> RowSelector::Create(const v1::RowFilter& filter,
                                                const RowTable& table,
                                                absl::string_view field) {
  RowSelector selector;
  for (const std::string& name : SortedFactorNames(filter)) {
    if (name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": a factor name is empty"));
    }
    const std::optional<int> column = table.FindColumn(name);
    if (!column.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": no column named '", name, "'",
          table.source().empty() ? "" : absl::StrCat(" in ", table.source()),
          " (the columns are: ", absl::StrJoin(table.columns(), ", "), ")"));
    }
    const v1::FactorValues& values = filter.factors().at(name);
    if (values.values().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": factor '", name, "' lists no values"));
    }
    Factor factor;
    factor.column = *column;
    for (const std::string& value : values.values()) {
      if (value.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": factor '", name, "' lists an empty value"));
      }
      double number;
      factor.values.push_back(value);
      factor.numbers.push_back(absl::SimpleAtod(value, &number)
                                   ? std::optional<double>(number)
                                   : std::nullopt);
    }
    selector.factors_.push_back(std::move(factor));
  }
  return selector;
}

bool RowSelector::Matches(const RowTable& table, size_t row) const {
  for (const Factor& factor : factors_) {
    const Cell& cell = table.cell(row, factor.column);
    bool any = false;
    for (size_t i = 0; i < factor.values.size() && !any; ++i) {
      any = cell.text == factor.values[i] ||
            (cell.number.has_value() && factor.numbers[i].has_value() &&
             *cell.number == *factor.numbers[i]);
    }
    if (!any) return false;
  }
  return true;
}

std::string FormatRowFilter(const v1::RowFilter& filter) {
  std::vector<std::string> parts;
  for (const std::string& name : SortedFactorNames(filter)) {
    parts.push_back(absl::StrCat(
        name, "=", absl::StrJoin(filter.factors().at(name).values(), ",")));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace scalebench::analysis
