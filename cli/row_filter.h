// The --train and --test expressions of `scalebench fit`:
// COLUMN=VALUE[,VALUE...] selects the rows whose COLUMN holds one of the
// values, e.g. "hosts=1" or "hosts=2,3". Parsed into the API's
// v1::RowFilter, which analysis/row_selector.h applies to rows (values
// compare as numbers when both sides are numbers, so "1" matches "1.0").
// Stateless; thread-safe.
#ifndef SCALEBENCH_CLI_ROW_FILTER_H_
#define SCALEBENCH_CLI_ROW_FILTER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::cli {

// Parses `expression`; `flag` (e.g. "--train") names it in messages.
// INVALID_ARGUMENT when it is not COLUMN=VALUE[,VALUE...] with a non-empty
// column and values. Spaces around the column and values are dropped.
absl::StatusOr<v1::RowFilter> ParseRowFilter(absl::string_view expression,
                                             absl::string_view flag);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_ROW_FILTER_H_
