// One metric of each trial result, read as results/trial_rows.h writes it,
// so that summaries, comparisons and nightly histories read the same
// number a CSV row shows. Stateless; thread-safe.
#ifndef SCALEBENCH_RESULTS_METRIC_VALUES_H_
#define SCALEBENCH_RESULTS_METRIC_VALUES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::results {

// `metric` (a name of api::MetricColumns()) of each trial, in order.
// Errors: INVALID_ARGUMENT "metric: '...' is not one of ..." for another
// name; "trials[I]: ..." when TrialRowCells fails or the value is not a
// finite number.
absl::StatusOr<std::vector<double>> MetricValues(
    const std::vector<v1::TrialResult>& trials, absl::string_view metric);

}  // namespace scalebench::results

#endif  // SCALEBENCH_RESULTS_METRIC_VALUES_H_
