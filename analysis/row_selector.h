// Selects the rows of a RowTable that a v1::RowFilter names: a row matches
// when, for every factor named, its cell is one of the values listed. A
// value matches a cell whose text is the same, or whose number equals the
// value read as a number ("2" matches "2.0"). Used for a cross-host test's
// `train` and `test` rows.
//
// Immutable once made; concurrent const use is safe.
#ifndef SCALEBENCH_ANALYSIS_ROW_SELECTOR_H_
#define SCALEBENCH_ANALYSIS_ROW_SELECTOR_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "analysis/row_table.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::analysis {

class RowSelector final {
 public:
  // Resolves `filter` against `table`'s columns. `field` names the filter
  // in messages ("train"). INVALID_ARGUMENT "FIELD: ..." when a factor is
  // not a column of the table, its name is empty, or it lists no values or
  // an empty value.
  static absl::StatusOr<RowSelector> Create(const v1::RowFilter& filter,
                                            const RowTable& table,
                                            absl::string_view field);

  // Whether row `row` of the table given to Create matches. A selector
  // made from an empty filter matches every row.
  bool Matches(const RowTable& table, size_t row) const;

 private:
  struct Factor {
    int column = 0;
    std::vector<std::string> values;
    // values[i] as a number, when it is one.
    std::vector<std::optional<double>> numbers;
  };

  RowSelector() = default;

  std::vector<Factor> factors_;
};

// The filter as people write it: "hosts=2,3", several factors in name
// order joined by "; ", "" for an empty filter.
std::string FormatRowFilter(const v1::RowFilter& filter);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_ROW_SELECTOR_H_
