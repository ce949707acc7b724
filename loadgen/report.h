// Renders a v1.LoadgenResult for people (text) and for programs (JSON).
// Stateless; thread-safe.
#ifndef SCALEBENCH_LOADGEN_REPORT_H_
#define SCALEBENCH_LOADGEN_REPORT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::loadgen {

// Errors of every kind, summed.
uint64_t TotalErrors(const v1::ErrorCounts& errors);

// A few aligned lines: throughput, transfer rate, latency percentiles,
// status classes, errors by kind (parse errors with their causes), the
// generator's CPU use, the start skew, and a FAILED line when the run failed.
// INVALID_ARGUMENT when the result's histogram is inconsistent.
absl::StatusOr<std::string> FormatText(const v1::LoadgenResult& result);

// One JSON object with, at its top level: requests, errors (by kind, with
// total, and parse_causes: the parse errors by cause), duration_s,
// requests_per_s, bytes, transfer_kb_per_s, latency_us (min, mean, stdev, p50,
// p90, p99, p999, max), cpu_s, mode, series; and also warmup_requests, status,
// bytes_sent, connections, threads, urls, start_skew_us, target_rate, and
// failure (null, or {kind, reason} when the run failed, e.g. kind
// "late_start", the API's lower-case spelling).
absl::StatusOr<std::string> FormatJson(const v1::LoadgenResult& result);

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_REPORT_H_
