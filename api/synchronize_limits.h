// How much one Synchronize request may carry, so that a worker with a
// backlog of unacknowledged results never builds a request past gRPC's
// message limit (4 MiB by default). The worker takes its batch with
// TakeResultBatch; the coordinator checks requests with
// CheckResultBatch. Thread-safe.
#ifndef SCALEBENCH_API_SYNCHRONIZE_LIMITS_H_
#define SCALEBENCH_API_SYNCHRONIZE_LIMITS_H_

#include <cstddef>
#include <vector>

#include "absl/status/status.h"
#include "scalebench/v1/worker.pb.h"

namespace scalebench::api {

// At most this many results per request.
inline constexpr size_t kMaxResultsPerSynchronize = 16;
// At most this many serialized bytes of results per request, except that
// the first result is always sent (a result larger than this alone would
// otherwise never leave the spool). A measurement's result is tens of
// kilobytes: its histogram has at most a few thousand buckets and its
// series one sample a second.
inline constexpr size_t kMaxResultBytesPerSynchronize = 1 << 20;

// How many of `spool` (oldest first) the next request carries: the longest
// prefix within both bounds, and at least one when `spool` is not empty.
size_t TakeResultBatch(const std::vector<v1::WorkerResult>& spool);

// INVALID_ARGUMENT when `request` carries more results than
// kMaxResultsPerSynchronize, saying how many.
absl::Status CheckResultBatch(const v1::SynchronizeRequest& request);

}  // namespace scalebench::api

#endif  // SCALEBENCH_API_SYNCHRONIZE_LIMITS_H_
