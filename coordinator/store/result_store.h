// Results: each worker's raw result for an attempt (stored once, only
// from a worker placed on it) and each trial's merged result. One of the
// stores over the coordinator's database (stores.h). Thread-safe: calls
// are serialized on the database.
#ifndef SCALEBENCH_COORDINATOR_STORE_RESULT_STORE_H_
#define SCALEBENCH_COORDINATOR_STORE_RESULT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "coordinator/store/database.h"
#include "coordinator/store/store_rows.h"
#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/coordinator.pb.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::coordinator {

class ResultStore final : private StoreBase {
 public:
  using StoreBase::StoreBase;

  // Stores one worker's raw result for an attempt. Returns true when it is
  // new, false when a result of that worker for that attempt is already
  // stored (delivery is at-least-once): the stored one is kept, never
  // overwritten. NOT_FOUND when the attempt is unknown; PERMISSION_DENIED
  // when the attempt's placement gives the result's worker no role (only a
  // worker placed on an attempt may report for it, so one worker cannot
  // fail another's attempt).
  absl::StatusOr<bool> StoreWorkerResult(const v1::WorkerResult& result);

  // StoreWorkerResult for each of `results` in one transaction (one
  // synchronous commit for many: see WorkerRegistry's group commit). The
  // outcome of results[i] is element i: as StoreWorkerResult's, with
  // INVALID_ARGUMENT (a malformed key or worker id), NOT_FOUND and
  // PERMISSION_DENIED (not placed) kept per result (the others are still
  // stored). Any other error fails the whole batch, and nothing of it is
  // stored.
  absl::StatusOr<std::vector<absl::StatusOr<bool>>> StoreWorkerResults(
      const std::vector<v1::WorkerResult>& results);

  // Stores a trial's merged result (one per trial). Storing an identical
  // one again is OK; a different one is ALREADY_EXISTS. NOT_FOUND when the
  // attempt is unknown.
  absl::Status StoreTrialResult(const v1::TrialResult& result);

  // The trial's merged result. NOT_FOUND when none is stored.
  absl::StatusOr<v1::TrialResult> GetTrialResult(absl::string_view trial_name);

  // The raw results stored for an attempt, ordered by worker id.
  absl::StatusOr<std::vector<v1::WorkerResult>> ListWorkerResults(
      const v1::AttemptKey& key);

  // Every merged result stored for the experiment, in trial order (only
  // trials that have one). NOT_FOUND when the experiment is unknown.
  absl::StatusOr<std::vector<v1::TrialResult>> ListTrialResults(
      absl::string_view experiment_id);
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_RESULT_STORE_H_
