// A trial's result as one row of named cells: the row `scalebench results
// --output csv` writes, `scalebench fit --data` reads, and the coordinator
// fits a spec's models to. The columns are api/result_columns.h's
// vocabulary. Stateless functions; thread-safe.
#ifndef SCALEBENCH_RESULTS_TRIAL_ROWS_H_
#define SCALEBENCH_RESULTS_TRIAL_ROWS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analysis/row_table.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::results {

// "trial_id", then api::FactorColumns(), then "repetition", then
// api::MetricColumns(), then api::kNestedColumn.
std::vector<std::string> TrialRowColumns();

// The cells of `trial` in TrialRowColumns() order. trial_id is the trial's
// short name ("exp-000001/3", api::TrialShortName); factors as
// api::FactorCells spells them; repetition in decimal; metrics as numbers
// in their shortest round-trip spelling: requests_per_s and
// transfer_kb_per_s as stored; latency mean, p50, p90, p99 and max in
// microseconds from the merged histogram (percentiles read off it, never
// averaged); errors the sum of connect, read, write, timeout, parse and
// status errors; start_skew_us the merged (largest-magnitude, signed)
// start skew and start_skew_uncertainty_us its bound; start_spread_us the
// estimated spread of the starts; observed_start_spread_us the spread the
// balancer's host observed, or empty; nested "true" or "false". Errors:
// INVALID_ARGUMENT "key.trial:
// ..." when the key does not name a trial, "merged.latency: ..." when the
// histogram is unreadable.
absl::StatusOr<std::vector<std::string>> TrialRowCells(
    const v1::TrialResult& trial);

// A table of the trials, one row each in the given order, with origin =
// the row's trial_id; source "trial results". Errors: TrialRowCells',
// prefixed with "trials[i]: ".
absl::StatusOr<analysis::RowTable> TrialRowTable(
    const std::vector<v1::TrialResult>& trials);

}  // namespace scalebench::results

#endif  // SCALEBENCH_RESULTS_TRIAL_ROWS_H_
