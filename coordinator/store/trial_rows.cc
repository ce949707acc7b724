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
  ASSIGN_OR_RETURN(Statement find, FindAttempt(db, "placement", ref, key));
  return Parse<v1::Attempt>(find.ColumnBlob(0), "placement");
}

}  // namespace

absl::StatusOr<Statement> FindAttempt(StoreDatabase& db,
                                      absl::string_view columns,
                                      const api::TrialRef& ref,
                                      const v1::AttemptKey& key) {
  ASSIGN_OR_RETURN(
      Statement find,
      db.Prepare(absl::StrCat("SELECT ", columns,
                              " FROM attempts WHERE experiment = ? AND "
                              "trial = ? AND number = ?"),
                 ref.experiment_id, ref.trial, key.attempt()));
  ASSIGN_OR_RETURN(bool row, find.Step());
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("no attempt ", key.attempt(), " of ", key.trial()));
  }
  return find;
}

absl::Status UpdateTrialState(StoreDatabase& db, const api::TrialRef& ref,
                              v1::TrialState state) {
  ASSIGN_OR_RETURN(Statement update,
                   db.Prepare("UPDATE trials SET state = ? WHERE "
                              "experiment = ? AND number = ?",
                              state, ref.experiment_id, ref.trial));
  return update.Run();
}

absl::StatusOr<std::optional<std::string>> ReadTrialResultBlob(
    StoreDatabase& db, const api::TrialRef& ref) {
  ASSIGN_OR_RETURN(Statement find,
                   db.Prepare("SELECT result FROM trial_results WHERE "
                              "experiment = ? AND trial = ?",
                              ref.experiment_id, ref.trial));
  ASSIGN_OR_RETURN(bool row, find.Step());
  if (!row) return std::nullopt;
  return find.ColumnBlob(0);
}

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
    RETURN_IF_ERROR(internal::UpdateTrialState(*db_, ref, state));
    trial.set_state(state);
    std::optional<v1::TrialResult> result;
    if (state == v1::TRIAL_STATE_SUCCEEDED) {
      ASSIGN_OR_RETURN(std::optional<std::string> blob,
                       internal::ReadTrialResultBlob(*db_, ref));
      if (blob.has_value()) {
        ASSIGN_OR_RETURN(result, Parse<v1::TrialResult>(*blob, "trial result"));
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
    ASSIGN_OR_RETURN(
        Statement find,
        internal::FindAttempt(*db_, "end_time IS NOT NULL", ref, key));
    if (find.ColumnInt(0) != 0) return absl::OkStatus();
    // NULL on success.
    const std::string failure_blob =
        failure.has_value() ? Serialize(*failure) : "";
    std::optional<Blob> failure_column;
    if (failure.has_value()) failure_column = Blob{failure_blob};
    ASSIGN_OR_RETURN(
        Statement update,
        db_->Prepare("UPDATE attempts SET end_time = ?, failure = ? WHERE "
                     "experiment = ? AND trial = ? AND number = ?",
                     db_->NowMicros(), failure_column, ref.experiment_id,
                     ref.trial, key.attempt()));
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
    ASSIGN_OR_RETURN(std::optional<std::string> stored,
                     internal::ReadTrialResultBlob(*db_, ref));
    if (stored.has_value()) {
      if (*stored == blob) return absl::OkStatus();
      return absl::AlreadyExistsError(absl::StrCat(
          result.key().trial(), " already has a different merged result"));
    }
    ASSIGN_OR_RETURN(Statement insert,
                     db_->Prepare("INSERT INTO trial_results (experiment, "
                                  "trial, attempt, result) VALUES (?, ?, ?, "
                                  "?)",
                                  ref.experiment_id, ref.trial,
                                  result.key().attempt(), Blob{blob}));
    return insert.Run();
  }
}

}  // namespace scalebench::coordinator
