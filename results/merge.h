// Merging what several load generators measured in one trial into one
// result, exactly: histograms bucket by bucket (so percentiles of the merge
// are those of all samples together, never averages of percentiles),
// counters summed, and the per-second series over the window every load
// generator covered. Stateless functions; thread-safe.
#ifndef SCALEBENCH_RESULTS_MERGE_H_
#define SCALEBENCH_RESULTS_MERGE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::results {

// Merges the load generators' results of one measurement window:
//  - latency: the histograms merged bucket-wise (results/histogram.h);
//  - requests, status classes, every error count and parse cause, bytes
//    received and sent, warmup_requests, cpu_user, cpu_system,
//    connections, threads and target_rate: summed;
//  - cpus: concatenated in input order; urls: the union, in order of first
//    appearance; source: the sources joined with ",";
//  - window: every load generator starts at the same planned T0 and runs
//    the same length, so windows differ only by start skew. start_time is
//    the latest start, and duration the common window: the intersection of
//    every [start, start + duration];
//  - series: seconds summed by `second` (requests, errors, bytes and
//    latency sums; latency_max the maximum), keeping only the seconds that
//    every input has;
//  - start_skew: the skew of largest magnitude, with its sign (of equal
//    ones, the one with the larger uncertainty), and
//    start_skew_uncertainty: that skew's.
// Errors, INVALID_ARGUMENT naming the input ("results[1]: ..."): no inputs;
// an input with `failure` set (a failed measurement is never merged); a
// mode, or a histogram sub_bucket_bits, that differs from results[0]'s; an
// unreadable histogram; windows without a common instant.
absl::StatusOr<v1::LoadgenResult> MergeLoadgenResults(
    absl::Span<const v1::LoadgenResult> results);

}  // namespace scalebench::results

#endif  // SCALEBENCH_RESULTS_MERGE_H_
