// The Store's trials: attempts, trial states and results.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/resource_names.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/store/stores.h"
#include "coordinator/store/store_rows.h"

namespace scalebench::coordinator {

using internal::ExperimentEnded;
using internal::MicrosToProto;
using internal::Parse;
using internal::Serialize;
using internal::TrialEnded;

namespace {

// The stored attempt `key` of the trial `ref` names (its placement);
// NOT_FOUND when there is none.
absl::StatusOr<v1::Attempt> ReadAttemptPlacement(Database& db,
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

// NOT_FOUND unless attempt `key` of the trial `ref` names is stored.
absl::Status CheckAttemptExists(Database& db, const api::TrialRef& ref,
                                const v1::AttemptKey& key) {
  return ReadAttemptPlacement(db, ref, key).status();
}

// NOT_FOUND unless attempt `key` of the trial `ref` names is stored;
// PERMISSION_DENIED when `worker_id` holds no role in its placement (a
// value is the worker's id, or its resource name "workers/ID"): only a
// worker placed on an attempt may report for it.
absl::Status CheckPlacedOnAttempt(Database& db, const api::TrialRef& ref,
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

}  // namespace

absl::StatusOr<v1::Attempt> Store::StartAttempt(
    absl::string_view trial_name,
    const google::protobuf::Map<std::string, std::string>& placement) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(trial_name));
  StoreLock lock(this);
  v1::Attempt attempt;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        v1::Experiment experiment,
        ReadExperiment(ref.experiment_id, v1::EXPERIMENT_VIEW_BASIC));
    if (ExperimentEnded(experiment.state()) ||
        experiment.state() == v1::EXPERIMENT_STATE_CANCELLING) {
      return absl::FailedPreconditionError(
          absl::StrCat(experiment.name(), " is ",
                       v1::ExperimentState_Name(experiment.state())));
    }
    ASSIGN_OR_RETURN(v1::Trial trial, ReadTrial(ref.experiment_id, ref.trial));
    if (TrialEnded(trial.state())) {
      return absl::FailedPreconditionError(absl::StrCat(
          trial.name(), " has ended: ", v1::TrialState_Name(trial.state())));
    }
    if (trial.attempts_size() > 0 &&
        !trial.attempts(trial.attempts_size() - 1).has_end_time()) {
      return absl::FailedPreconditionError(
          absl::StrCat(trial.name(), " attempt ", trial.attempts_size(),
                       " is still running"));
    }
    const int64_t number = trial.attempts_size() + 1;
    v1::Attempt placed;
    *placed.mutable_placement() = placement;
    ASSIGN_OR_RETURN(Statement insert,
                     db_->Prepare("INSERT INTO attempts (experiment, trial, "
                                  "number, placement, start_time) VALUES (?, "
                                  "?, ?, ?, ?)"));
    insert.Bind(1, ref.experiment_id)
        .Bind(2, static_cast<int64_t>(ref.trial))
        .Bind(3, number)
        .BindBlob(4, Serialize(placed))
        .Bind(5, NowMicros());
    RETURN_IF_ERROR(insert.Run());
    ASSIGN_OR_RETURN(Statement update,
                     db_->Prepare("UPDATE trials SET state = ? WHERE "
                                  "experiment = ? AND number = ?"));
    update.Bind(1, static_cast<int64_t>(v1::TRIAL_STATE_PREPARING))
        .Bind(2, ref.experiment_id)
        .Bind(3, static_cast<int64_t>(ref.trial));
    RETURN_IF_ERROR(update.Run());
    if (experiment.state() == v1::EXPERIMENT_STATE_PENDING) {
      ASSIGN_OR_RETURN(
          Statement run,
          db_->Prepare("UPDATE experiments SET state = ?, start_time = "
                       "COALESCE(start_time, ?) WHERE id = ?"));
      run.Bind(1, static_cast<int64_t>(v1::EXPERIMENT_STATE_RUNNING))
          .Bind(2, NowMicros())
          .Bind(3, ref.experiment_id);
      RETURN_IF_ERROR(run.Run());
    }
    ASSIGN_OR_RETURN(trial, ReadTrial(ref.experiment_id, ref.trial));
    attempt = trial.attempts(trial.attempts_size() - 1);
    return AppendEvent(
        ref.experiment_id, &trial, nullptr,
        absl::StrFormat("trial %d attempt %d started", ref.trial, number));
  }));
  return attempt;
}

absl::Status Store::SetTrialState(absl::string_view trial_name,
                                  v1::TrialState state,
                                  absl::string_view message) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(trial_name));
  if (state == v1::TRIAL_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError("trial state: unspecified");
  }
  StoreLock lock(this);
  return InTransaction([&]() -> absl::Status {
    return SetTrialStateLocked(ref, state, message);
  });
}

absl::Status Store::SetTrialStateLocked(const api::TrialRef& ref,
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

absl::Status Store::FinishAttempt(const v1::AttemptKey& key,
                                  const std::optional<v1::Failure>& failure) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(key.trial()));
  StoreLock lock(this);
  return InTransaction(
      [&]() -> absl::Status { return FinishAttemptLocked(ref, key, failure); });
}

absl::Status Store::FinishAttemptLocked(
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
    update.Bind(1, NowMicros());
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

absl::StatusOr<bool> Store::StoreWorkerResult(const v1::WorkerResult& result) {
  ASSIGN_OR_RETURN(api::TrialRef ref,
                   api::ParseTrialName(result.key().trial()));
  RETURN_IF_ERROR(api::ValidateId(result.worker_id(), "worker id"));
  StoreLock lock(this);
  bool stored = false;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
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

absl::StatusOr<std::vector<absl::StatusOr<bool>>> Store::StoreWorkerResults(
    const std::vector<v1::WorkerResult>& results) {
  std::vector<absl::StatusOr<bool>> outcomes;
  StoreLock lock(this, /*urgent=*/true);
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
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

absl::Status Store::StoreTrialResult(const v1::TrialResult& result) {
  ASSIGN_OR_RETURN(api::TrialRef ref,
                   api::ParseTrialName(result.key().trial()));
  StoreLock lock(this);
  return InTransaction(
      [&]() -> absl::Status { return StoreTrialResultLocked(ref, result); });
}

absl::Status Store::StoreTrialResultLocked(const api::TrialRef& ref,
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

absl::Status Store::EndAttempt(const v1::AttemptKey& key,
                               const std::optional<v1::Failure>& failure,
                               const v1::TrialResult* result,
                               v1::TrialState next_state,
                               absl::string_view message) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(key.trial()));
  if (next_state != v1::TRIAL_STATE_SUCCEEDED &&
      next_state != v1::TRIAL_STATE_FAILED &&
      next_state != v1::TRIAL_STATE_QUEUED &&
      next_state != v1::TRIAL_STATE_CANCELLED) {
    return absl::InvalidArgumentError(
        absl::StrCat("next_state: ", v1::TrialState_Name(next_state),
                     " does not follow an attempt"));
  }
  if ((next_state == v1::TRIAL_STATE_SUCCEEDED) !=
      (result != nullptr && !failure.has_value())) {
    return absl::InvalidArgumentError(
        "a trial succeeds exactly when its attempt has a merged result and "
        "no failure");
  }
  if (result != nullptr && (result->key().trial() != key.trial() ||
                            result->key().attempt() != key.attempt())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "result.key: not attempt ", key.attempt(), " of ", key.trial()));
  }
  StoreLock lock(this);
  return InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(v1::Trial trial, ReadTrial(ref.experiment_id, ref.trial));
    if (key.attempt() == 0 ||
        key.attempt() > static_cast<uint32_t>(trial.attempts_size())) {
      return absl::NotFoundError(
          absl::StrCat("no attempt ", key.attempt(), " of ", key.trial()));
    }
    if (trial.attempts(key.attempt() - 1).has_end_time()) {
      // Ended before (a retry of this call after a lost reply): done.
      return absl::OkStatus();
    }
    if (result != nullptr)
      RETURN_IF_ERROR(StoreTrialResultLocked(ref, *result));
    RETURN_IF_ERROR(FinishAttemptLocked(ref, key, failure));
    return SetTrialStateLocked(ref, next_state, message);
  });
}

absl::StatusOr<v1::TrialResult> Store::GetTrialResult(
    absl::string_view trial_name) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(trial_name));
  StoreLock lock(this);
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

absl::StatusOr<std::vector<v1::WorkerResult>> Store::ListWorkerResults(
    const v1::AttemptKey& key) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(key.trial()));
  StoreLock lock(this);
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

}  // namespace scalebench::coordinator
