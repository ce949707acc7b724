#include "cli/row_filter.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace scalebench::cli {

absl::StatusOr<v1::RowFilter> ParseRowFilter(absl::string_view expression,
                                             absl::string_view flag) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(expression);
  const size_t equals = trimmed.find('=');
  const absl::Status bad = absl::InvalidArgumentError(absl::StrCat(
      flag, " expects COLUMN=VALUE[,VALUE...], e.g. hosts=2,3; got '",
      expression, "'"));
  if (equals == absl::string_view::npos) return bad;
  const std::string column(
      absl::StripAsciiWhitespace(trimmed.substr(0, equals)));
  if (column.empty()) return bad;
  v1::RowFilter filter;
  v1::FactorValues& values = (*filter.mutable_factors())[column];
  for (absl::string_view value :
       absl::StrSplit(trimmed.substr(equals + 1), ',')) {
    value = absl::StripAsciiWhitespace(value);
    if (value.empty()) return bad;
    values.add_values(std::string(value));
  }
  return filter;
}

}  // namespace scalebench::cli
