// The merged result of one trial (v1::TrialResult) from its workers' raw
// results. The definitions here are the ones every report uses; see
// docs/coordinator.md, "How results merge". Stateless; thread-safe.
#ifndef SCALEBENCH_RESULTS_TRIAL_RESULT_H_
#define SCALEBENCH_RESULTS_TRIAL_RESULT_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::results {

// A load generator whose CPU use (cpu_user + cpu_system) exceeds this
// fraction of duration x its cores was the bottleneck, not the target.
inline constexpr double kSaturatedCpuFraction = 0.9;

// Builds the TrialResult of attempt `key` of a trial measuring
// `configuration` (its `repetition`-th, from 0) from every worker's raw
// result:
//  - merged = MergeLoadgenResults of the raw results that have a loadgen
//    part, taken in worker-id order (results/merge.h);
//  - requests_per_s = sum over load generators of successes_i / duration_i
//    (seconds; successes are 2xx responses, results/errors.h), each
//    generator over its own window, so one generator's skew neither
//    inflates nor deflates the rate; transfer_kb_per_s the same with
//    bytes_received_i / 1024 (every response's bytes);
//  - error_rate = ErrorRate(merged);
//  - max_start_skew = the largest |start_skew| (non-negative);
//  - estimated_start_spread = the largest start_skew minus the smallest,
//    its uncertainty the sum of theirs (0 and 0 with one generator);
//  - observed_start_spread = the latest ObservedStart.first_request minus
//    the earliest, over the generators' hosts, when some raw result
//    observed every one of at least two (unset otherwise);
//  - loadgen_saturated = some generator used cpu_user + cpu_system >
//    kSaturatedCpuFraction x duration x cpus.size() (a generator that
//    lists no cpus cannot be judged and is never flagged);
//  - nested = some raw result's environment is nested;
//  - raw = `raw` sorted by worker_id.
// Errors: FAILED_PRECONDITION when a raw result (or its loadgen part) has
// a failure, or none has a loadgen part; INVALID_ARGUMENT "raw[worker
// W]: loadgen.duration ..." when a load generator's duration is not
// positive, and MergeLoadgenResults' errors (results[k] counts the
// load generators in worker-id order).
absl::StatusOr<v1::TrialResult> MakeTrialResult(
    const v1::AttemptKey& key, const v1::Configuration& configuration,
    uint32_t repetition, std::vector<v1::WorkerResult> raw);

}  // namespace scalebench::results

#endif  // SCALEBENCH_RESULTS_TRIAL_RESULT_H_
