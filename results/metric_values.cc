#include "results/metric_values.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analysis/row_table.h"
#include "api/result_columns.h"
#include "results/trial_rows.h"

namespace scalebench::results {

absl::StatusOr<std::vector<double>> MetricValues(
    const std::vector<v1::TrialResult>& trials, absl::string_view metric) {
  if (!api::IsColumn(api::MetricColumns(), metric)) {
    return absl::InvalidArgumentError(
        absl::StrCat("metric: '", metric, "' is not one of ",
                     absl::StrJoin(api::MetricColumns(), ", ")));
  }
  const std::vector<std::string> columns = TrialRowColumns();
  const size_t column =
      std::find(columns.begin(), columns.end(), metric) - columns.begin();
  std::vector<double> values;
  values.reserve(trials.size());
  for (size_t i = 0; i < trials.size(); ++i) {
    absl::StatusOr<std::vector<std::string>> cells = TrialRowCells(trials[i]);
    if (!cells.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("trials[", i, "]: ", cells.status().message()));
    }
    const analysis::Cell cell =
        analysis::Cell::FromText(std::move((*cells)[column]));
    if (!cell.number.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("trials[", i, "]: ", metric, " is '", cell.text,
                       "', not a finite number"));
    }
    values.push_back(*cell.number);
  }
  return values;
}

}  // namespace scalebench::results
