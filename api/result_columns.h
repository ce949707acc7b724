// The one vocabulary of result columns: the names under which a trial's
// factors and metrics appear in CSV output, in the rows models are fitted
// to, and in a spec's models (ModelSpec.x and .y). Spec validation, the
// results library and the CLI all read the names from here, so a column
// is spelled the same everywhere. Thread-safe.
#ifndef SCALEBENCH_API_RESULT_COLUMNS_H_
#define SCALEBENCH_API_RESULT_COLUMNS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::api {

// The factor columns, from v1::Configuration, in this order: platform,
// instances, balancer, algorithm, hosts, vcpus, vcpus_total (= instances x
// vcpus), keepalive, health_check_interval (a duration), connections.
absl::Span<const char* const> FactorColumns();

// The metric columns of a trial, in this order: requests_per_s,
// transfer_kb_per_s, latency_mean_us, latency_p50_us, latency_p90_us,
// latency_p99_us, latency_max_us, errors (the sum of every error count),
// error_rate (the fraction of the requests that failed, 0 to 1),
// start_skew_us, start_skew_uncertainty_us, start_spread_us (the
// estimated spread of the load generators' starts), observed_start_spread_us
// (empty when no host observed every start).
absl::Span<const char* const> MetricColumns();

// True when a higher value of metric column `metric` is better:
// requests_per_s and transfer_kb_per_s. For every other metric (the
// latencies, errors, the skews and spreads) lower is better.
bool HigherIsBetter(absl::string_view metric);

// The column after the metrics: "true" when a host of the trial is itself
// a virtual machine (v1::TrialResult.nested), so its throughput says the
// code path works, not how fast the platform is; "false" otherwise.
inline constexpr char kNestedColumn[] = "nested";

// The columns a model may take as x: the numeric factors instances,
// vcpus_total, hosts, vcpus, connections.
absl::Span<const char* const> ModelXColumns();

// The columns a model may take as y: every metric column.
absl::Span<const char* const> ModelYColumns();

// True when `name` is one of `columns`.
bool IsColumn(absl::Span<const char* const> columns, absl::string_view name);

// The cells of the factor columns for `configuration`, in FactorColumns()
// order: enum values as api/enum_names.h spells them ("docker"), numbers in
// decimal, keepalive "true" or "false", health_check_interval as a spec
// spells a duration ("0s" when off, "2s", "500ms"), so that a model's
// train/test filter written like the spec's sweep matches it.
std::vector<std::string> FactorCells(const v1::Configuration& configuration);

}  // namespace scalebench::api

#endif  // SCALEBENCH_API_RESULT_COLUMNS_H_
