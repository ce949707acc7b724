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
    ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT INTO worker_results (experiment, trial, attempt, "
                     "worker, result) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO "
                     "NOTHING"));
    insert.Bind(1, ref.experiment_id)
        .Bind(2, static_cast<int64_t>(ref.trial))
        .Bind(3, static_cast<int64_t>(result.key().attempt()))
        .Bind(4, result.worker_id())
        .BindBlob(5, Serialize(result));
    RETURN_IF_ERROR(insert.Run());
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
    ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT INTO worker_results (experiment, trial, attempt, "
                     "worker, result) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO "
                     "NOTHING"));
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
      insert.Bind(1, ref->experiment_id)
          .Bind(2, static_cast<int64_t>(ref->trial))
          .Bind(3, static_cast<int64_t>(result.key().attempt()))
          .Bind(4, result.worker_id())
          .BindBlob(5, Serialize(result));
      RETURN_IF_ERROR(insert.Run());
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
  ASSIGN_OR_RETURN(Statement find,
                   db_->Prepare("SELECT result FROM trial_results WHERE "
                                "experiment = ? AND trial = ?"));
  find.Bind(1, ref.experiment_id).Bind(2, static_cast<int64_t>(ref.trial));
  ASSIGN_OR_RETURN(bool row, find.Step());
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("no merged result for ", trial_name));
  }
  return Parse<v1::TrialResult>(find.ColumnBlob(0), "trial result");
}

absl::StatusOr<std::vector<v1::WorkerResult>> ResultStore::ListWorkerResults(
    const v1::AttemptKey& key) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(key.trial()));
  StoreDatabase::Lock lock(db_);
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("SELECT result FROM worker_results WHERE experiment = ? "
                   "AND trial = ? AND attempt = ? ORDER BY worker"));
  stmt.Bind(1, ref.experiment_id)
      .Bind(2, static_cast<int64_t>(ref.trial))
      .Bind(3, static_cast<int64_t>(key.attempt()));
  std::vector<v1::WorkerResult> results;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return results;
    ASSIGN_OR_RETURN(v1::WorkerResult result,
                     Parse<v1::WorkerResult>(stmt.ColumnBlob(0), "result"));
    results.push_back(std::move(result));
  }
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
                                  "experiment = ? ORDER BY trial"));
    stmt.Bind(1, experiment_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return absl::OkStatus();
      ASSIGN_OR_RETURN(
          v1::TrialResult result,
          Parse<v1::TrialResult>(stmt.ColumnBlob(0), "trial result"));
      results.push_back(std::move(result));
    }
  }));
  return results;
}

}  // namespace scalebench::coordinator
