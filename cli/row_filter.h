// A row filter for --train and --test: COLUMN=VALUE[,VALUE...] selects the
// rows whose COLUMN holds one of the values, e.g. "hosts=1" or
// "hosts=2,3". Values compare as numbers when both sides are numbers (so
// "1" matches "1.0"), otherwise as exact text.
//
// Immutable once parsed; concurrent const use is safe.
#ifndef SCALEBENCH_CLI_ROW_FILTER_H_
#define SCALEBENCH_CLI_ROW_FILTER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/csv.h"

namespace scalebench::cli {

class RowFilter final {
 public:
  // Parses `expression`; `flag` (e.g. "--train") names it in messages.
  // INVALID_ARGUMENT when it is not COLUMN=VALUE[,VALUE...] with a
  // non-empty column and values.
  static absl::StatusOr<RowFilter> Parse(absl::string_view expression,
                                         absl::string_view flag);

  const std::string& column() const { return column_; }
  const std::vector<std::string>& values() const { return values_; }
  // The expression as given, for messages and output.
  const std::string& text() const { return text_; }

  // Whether `cell` is one of the values.
  bool Matches(absl::string_view cell) const;

 private:
  RowFilter() = default;

  std::string column_;
  std::vector<std::string> values_;
  std::string text_;
};

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_ROW_FILTER_H_
