// StoreRows' trial rows, and the checks on an attempt's placement.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/resource_names.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/store/store_rows.h"

namespace scalebench::coordinator {

using internal::CheckAttemptExists;
using internal::Parse;
using internal::Serialize;
using internal::TrialEnded;

namespace internal {
namespace {

// The stored attempt `key` of the trial `ref` names (its placement);
// NOT_FOUND when there is none.
absl::StatusOr<v1::Attempt> ReadAttemptPlacement(StoreDatabase& db,
                                                 const api::TrialRef& ref,
                                                 const v1::AttemptKey& key) {
  ASSIGN_OR_RETURN(Statement find,
                   db.Prepare("SELECT placement FROM attempts WHERE "
                              "experiment = ? AND trial = ? AND number = ?"));
  find.Bind(1, ref.experiment_id)
      .Bind(2, static_cast<int64_t>(ref.trial))
      .Bind(3, static_cast<int64_t>(key.attempt()));
  ASSIGN_OR_RETURN(bool row, find.Step());
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("no attempt ", key.attempt(), " of ", key.trial()));
  }
  return Parse<v1::Attempt>(find.ColumnBlob(0), "placement");
}

}  // namespace

// NOT_FOUND unless attempt `key` of the trial `ref` names is stored.
absl::Status CheckAttemptExists(StoreDatabase& db, const api::TrialRef& ref,
                                const v1::AttemptKey& key) {
  return ReadAttemptPlacement(db, ref, key).status();
}

// NOT_FOUND unless attempt `key` of the trial `ref` names is stored;
// PERMISSION_DENIED when `worker_id` holds no role in its placement (a
// value is the worker's id, or its resource name "workers/ID"): only a
// worker placed on an attempt may report for it.
absl::Status CheckPlacedOnAttempt(StoreDatabase& db, const api::TrialRef& ref,
                                  const v1::AttemptKey& key,
                                  const std::string& worker_id) {
  ASSIGN_OR_RETURN(v1::Attempt placed, ReadAttemptPlacement(db, ref, key));
  const std::string name = api::WorkerName(worker_id);
  for (const auto& [role, worker] : placed.placement()) {
    if (worker == worker_id || worker == name) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("worker ", worker_id, " was not placed on attempt ",
                   key.attempt(), " of ", key.trial()));
}

}  // namespace internal

absl::Status StoreRows::SetTrialStateLocked(const api::TrialRef& ref,
                                            v1::TrialState state,
                                            absl::string_view message) {
  {
    ASSIGN_OR_RETURN(v1::Trial trial, ReadTrial(ref.experiment_id, ref.trial));
    if (trial.state() == state) return absl::OkStatus();
    if (TrialEnded(trial.state())) {
      return absl::FailedPreconditionError(absl::StrCat(
          trial.name(), " has ended: ", v1::TrialState_Name(trial.state())));
    }
    ASSIGN_OR_RETURN(Statement update,
                     db_->Prepare("UPDATE trials SET state = ? WHERE "
                                  "experiment = ? AND number = ?"));
    update.Bind(1, static_cast<int64_t>(state))
        .Bind(2, ref.experiment_id)
        .Bind(3, static_cast<int64_t>(ref.trial));
    RETURN_IF_ERROR(update.Run());
    trial.set_state(state);
    std::optional<v1::TrialResult> result;
    if (state == v1::TRIAL_STATE_SUCCEEDED) {
      ASSIGN_OR_RETURN(Statement find,
                       db_->Prepare("SELECT result FROM trial_results WHERE "
                                    "experiment = ? AND trial = ?"));
      find.Bind(1, ref.experiment_id).Bind(2, static_cast<int64_t>(ref.trial));
      ASSIGN_OR_RETURN(bool row, find.Step());
      if (row) {
        ASSIGN_OR_RETURN(
            result, Parse<v1::TrialResult>(find.ColumnBlob(0), "trial result"));
      }
    }
    return AppendEvent(
        ref.experiment_id, &trial, result ? &*result : nullptr,
        message.empty()
            ? absl::StrCat("trial ", ref.trial, " ", v1::TrialState_Name(state))
            : std::string(message));
  }
}

absl::Status StoreRows::FinishAttemptLocked(
    const api::TrialRef& ref, const v1::AttemptKey& key,
    const std::optional<v1::Failure>& failure) {
  {
    ASSIGN_OR_RETURN(Statement find,
                     db_->Prepare("SELECT end_time IS NOT NULL FROM attempts "
                                  "WHERE experiment = ? AND trial = ? AND "
                                  "number = ?"));
    find.Bind(1, ref.experiment_id)
        .Bind(2, static_cast<int64_t>(ref.trial))
        .Bind(3, static_cast<int64_t>(key.attempt()));
    ASSIGN_OR_RETURN(bool row, find.Step());
    if (!row) {
      return absl::NotFoundError(
          absl::StrCat("no attempt ", key.attempt(), " of ", key.trial()));
    }
    if (find.ColumnInt(0) != 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(Statement update,
                     db_->Prepare("UPDATE attempts SET end_time = ?, failure = "
                                  "? WHERE experiment = ? AND trial = ? AND "
                                  "number = ?"));
    update.Bind(1, db_->NowMicros());
    if (failure.has_value()) {
      update.BindBlob(2, Serialize(*failure));
    } else {
      update.BindNull(2);
    }
    update.Bind(3, ref.experiment_id)
        .Bind(4, static_cast<int64_t>(ref.trial))
        .Bind(5, static_cast<int64_t>(key.attempt()));
    RETURN_IF_ERROR(update.Run());
    ASSIGN_OR_RETURN(v1::Trial trial, ReadTrial(ref.experiment_id, ref.trial));
    std::string message =
        absl::StrFormat("trial %d attempt %d ", ref.trial, key.attempt());
    if (failure.has_value()) {
      absl::StrAppend(&message, "failed: ", failure->reason());
    } else {
      absl::StrAppend(&message, "succeeded");
    }
    return AppendEvent(ref.experiment_id, &trial, nullptr, message);
  }
}

absl::Status StoreRows::StoreTrialResultLocked(const api::TrialRef& ref,
                                               const v1::TrialResult& result) {
  const std::string blob = Serialize(result);
  {
    RETURN_IF_ERROR(CheckAttemptExists(*db_, ref, result.key()));
    ASSIGN_OR_RETURN(Statement find,
                     db_->Prepare("SELECT result FROM trial_results WHERE "
                                  "experiment = ? AND trial = ?"));
    find.Bind(1, ref.experiment_id).Bind(2, static_cast<int64_t>(ref.trial));
    ASSIGN_OR_RETURN(bool row, find.Step());
    if (row) {
      if (find.ColumnBlob(0) == blob) return absl::OkStatus();
      return absl::AlreadyExistsError(absl::StrCat(
          result.key().trial(), " already has a different merged result"));
    }
    ASSIGN_OR_RETURN(Statement insert,
                     db_->Prepare("INSERT INTO trial_results (experiment, "
                                  "trial, attempt, result) VALUES (?, ?, ?, "
                                  "?)"));
    insert.Bind(1, ref.experiment_id)
        .Bind(2, static_cast<int64_t>(ref.trial))
        .Bind(3, static_cast<int64_t>(result.key().attempt()))
        .BindBlob(4, blob);
    return insert.Run();
  }
}

}  // namespace scalebench::coordinator
