#include "cli/row_filter.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace scalebench::cli {

absl::StatusOr<RowFilter> RowFilter::Parse(absl::string_view expression,
                                           absl::string_view flag) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(expression);
  const size_t equals = trimmed.find('=');
  const absl::Status bad = absl::InvalidArgumentError(absl::StrCat(
      flag, " expects COLUMN=VALUE[,VALUE...], e.g. hosts=2,3; got '",
      expression, "'"));
  if (equals == absl::string_view::npos) return bad;
  RowFilter filter;
  filter.text_ = std::string(trimmed);
  filter.column_ =
      std::string(absl::StripAsciiWhitespace(trimmed.substr(0, equals)));
  if (filter.column_.empty()) return bad;
  for (absl::string_view value :
       absl::StrSplit(trimmed.substr(equals + 1), ',')) {
    value = absl::StripAsciiWhitespace(value);
    if (value.empty()) return bad;
    filter.values_.emplace_back(value);
  }
  return filter;
}

bool RowFilter::Matches(absl::string_view cell) const {
  double cell_number;
  const bool cell_is_number = absl::SimpleAtod(cell, &cell_number);
  for (const std::string& value : values_) {
    if (cell == value) return true;
    double value_number;
    if (cell_is_number && absl::SimpleAtod(value, &value_number) &&
        cell_number == value_number) {
      return true;
    }
  }
  return false;
}

}  // namespace scalebench::cli
