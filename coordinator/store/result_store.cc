#include "coordinator/store/result_store.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "api/resource_names.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/store/store_rows.h"

namespace scalebench::coordinator {

using internal::CheckPlacedOnAttempt;

using internal::Parse;
using internal::Serialize;

namespace {

// Stores a worker's result once: a second one for the same attempt and
// worker changes nothing.
constexpr char kInsertWorkerResult[] =
    "INSERT INTO worker_results (experiment, trial, attempt, worker, result) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

// Binds `result` of the trial `ref` names to kInsertWorkerResult.
Statement& BindWorkerResult(Statement& insert, const api::TrialRef& ref,
                            const v1::WorkerResult& result) {
  return insert.BindAll(ref.experiment_id, ref.trial, result.key().attempt(),
                        result.worker_id(), Blob{Serialize(result)});
}

}  // namespace

absl::StatusOr<bool> ResultStore::StoreWorkerResult(
    const v1::WorkerResult& result) {
  ASSIGN_OR_RETURN(api::TrialRef ref,
                   api::ParseTrialName(result.key().trial()));
  RETURN_IF_ERROR(api::ValidateId(result.worker_id(), "worker id"));
  StoreDatabase::Lock lock(db_);
  bool stored = false;
  RETURN_IF_ERROR(db_->InTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        CheckPlacedOnAttempt(*db_, ref, result.key(), result.worker_id()));
    ASSIGN_OR_RETURN(Statement insert, db_->Prepare(kInsertWorkerResult));
    RETURN_IF_ERROR(BindWorkerResult(insert, ref, result).Run());
    stored = db_->Changes() == 1;
    return absl::OkStatus();
  }));
  return stored;
}

absl::StatusOr<std::vector<absl::StatusOr<bool>>>
ResultStore::StoreWorkerResults(const std::vector<v1::WorkerResult>& results) {
  std::vector<absl::StatusOr<bool>> outcomes;
  StoreDatabase::Lock lock(db_, /*urgent=*/true);
  RETURN_IF_ERROR(db_->InTransaction([&]() -> absl::Status {
    outcomes.clear();
    ASSIGN_OR_RETURN(Statement insert, db_->Prepare(kInsertWorkerResult));
    for (const v1::WorkerResult& result : results) {
      absl::StatusOr<api::TrialRef> ref =
          api::ParseTrialName(result.key().trial());
      absl::Status valid = ref.status();
      if (valid.ok()) valid = api::ValidateId(result.worker_id(), "worker id");
      if (valid.ok()) {
        valid =
            CheckPlacedOnAttempt(*db_, *ref, result.key(), result.worker_id());
      }
      if (!valid.ok()) {
        if (!absl::IsInvalidArgument(valid) && !absl::IsNotFound(valid) &&
            !absl::IsPermissionDenied(valid)) {
          return valid;
        }
        outcomes.push_back(valid);
        continue;
      }
      insert.Reset();
      RETURN_IF_ERROR(BindWorkerResult(insert, *ref, result).Run());
      outcomes.push_back(db_->Changes() == 1);
    }
    return absl::OkStatus();
  }));
  return outcomes;
}

absl::Status ResultStore::StoreTrialResult(const v1::TrialResult& result) {
  ASSIGN_OR_RETURN(api::TrialRef ref,
                   api::ParseTrialName(result.key().trial()));
  StoreDatabase::Lock lock(db_);
  return db_->InTransaction([&]() -> absl::Status {
    return rows_.StoreTrialResultLocked(ref, result);
  });
}

absl::StatusOr<v1::TrialResult> ResultStore::GetTrialResult(
    absl::string_view trial_name) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(trial_name));
  StoreDatabase::Lock lock(db_);
  ASSIGN_OR_RETURN(std::optional<std::string> blob,
                   internal::ReadTrialResultBlob(*db_, ref));
  if (!blob.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("no merged result for ", trial_name));
  }
  return Parse<v1::TrialResult>(*blob, "trial result");
}

absl::StatusOr<std::vector<v1::WorkerResult>> ResultStore::ListWorkerResults(
    const v1::AttemptKey& key) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(key.trial()));
  StoreDatabase::Lock lock(db_);
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("SELECT result FROM worker_results WHERE experiment = ? "
                   "AND trial = ? AND attempt = ? ORDER BY worker",
                   ref.experiment_id, ref.trial, key.attempt()));
  return internal::ReadMessages<v1::WorkerResult>(stmt, "result");
}

absl::StatusOr<std::vector<v1::TrialResult>> ResultStore::ListTrialResults(
    absl::string_view experiment_id) {
  StoreDatabase::Lock lock(db_);
  std::vector<v1::TrialResult> results;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        rows_.ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC)
            .status());
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT result FROM trial_results WHERE "
                                  "experiment = ? ORDER BY trial",
                                  experiment_id));
    ASSIGN_OR_RETURN(
        results, internal::ReadMessages<v1::TrialResult>(stmt, "trial result"));
    return absl::OkStatus();
  }));
  return results;
}

}  // namespace scalebench::coordinator
