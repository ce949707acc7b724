// Comparing attempts, and the attempt a worker's reported state is about:
// shared by the coordinator's registry and scheduler and the worker's
// executor. Stateless; thread-safe.
#ifndef SCALEBENCH_API_ATTEMPT_KEYS_H_
#define SCALEBENCH_API_ATTEMPT_KEYS_H_

#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/worker.pb.h"

namespace scalebench::api {

// The same attempt of the same trial.
bool SameAttempt(const v1::AttemptKey& a, const v1::AttemptKey& b);

// The attempt `state` is about (preparing, ready, measuring, finished,
// tearing down); null for idle or no state.
const v1::AttemptKey* ReportedAttempt(const v1::WorkerState& state);

}  // namespace scalebench::api

#endif  // SCALEBENCH_API_ATTEMPT_KEYS_H_
