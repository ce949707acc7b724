#include "coordinator/store/trial_store.h"

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

using internal::ExperimentEnded;
using internal::Serialize;
using internal::TrialEnded;

namespace {

// A trial page's token: the number of its first trial.
constexpr char kTrialPageTokenPrefix[] = "t";

}  // namespace

void TrialStore::SetWaiting(
    absl::string_view experiment_id,
    absl::flat_hash_map<std::string, std::string> reasons) {
  absl::MutexLock lock(&waiting_mu_);
  if (reasons.empty()) {
    waiting_.erase(experiment_id);
  } else {
    waiting_[experiment_id] = std::move(reasons);
  }
}

void TrialStore::FillWaiting(absl::string_view experiment_id,
                             std::vector<v1::Trial>& trials) const {
  absl::MutexLock lock(&waiting_mu_);
  auto reasons = waiting_.find(experiment_id);
  if (reasons == waiting_.end()) return;
  for (v1::Trial& trial : trials) {
    if (trial.state() != v1::TRIAL_STATE_QUEUED) continue;
    auto it = reasons->second.find(trial.name());
    if (it != reasons->second.end()) trial.set_waiting_for(it->second);
  }
}

absl::StatusOr<std::vector<v1::Trial>> TrialStore::ReadTrials(
    absl::string_view experiment_id, int64_t first, int64_t limit,
    int64_t* next) {
  std::vector<v1::Trial> trials;
  *next = -1;
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("SELECT number, configuration_index, repetition, state "
                   "FROM trials WHERE experiment = ? AND number >= ? "
                   "ORDER BY number LIMIT ?"));
  // One more than asked, to know whether more follow.
  stmt.Bind(1, experiment_id).Bind(2, first).Bind(3, limit + 1);
  absl::flat_hash_map<int64_t, size_t> index;
  int64_t last = first;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    const int64_t number = stmt.ColumnInt(0);
    if (static_cast<int64_t>(trials.size()) == limit) {
      *next = number;
      break;
    }
    v1::Trial& trial = trials.emplace_back();
    index[number] = trials.size() - 1;
    last = number;
    trial.set_name(
        api::TrialName(experiment_id, static_cast<uint32_t>(number)));
    trial.set_configuration_index(static_cast<uint32_t>(stmt.ColumnInt(1)));
    trial.set_repetition(static_cast<uint32_t>(stmt.ColumnInt(2)));
    trial.set_state(static_cast<v1::TrialState>(stmt.ColumnInt(3)));
  }
  if (trials.empty()) return trials;
  FillWaiting(experiment_id, trials);
  ASSIGN_OR_RETURN(
      Statement attempts,
      db_->Prepare("SELECT trial, number, placement, start_time, end_time, "
                   "failure FROM attempts WHERE experiment = ? AND trial >= ? "
                   "AND trial <= ? ORDER BY trial, number"));
  attempts.Bind(1, experiment_id).Bind(2, first).Bind(3, last);
  while (true) {
    ASSIGN_OR_RETURN(bool row, attempts.Step());
    if (!row) return trials;
    auto it = index.find(attempts.ColumnInt(0));
    if (it == index.end()) continue;  // Foreign keys make this impossible.
    ASSIGN_OR_RETURN(*trials[it->second].add_attempts(),
                     internal::AttemptFromRow(attempts, 1));
  }
}

absl::StatusOr<std::vector<v1::Trial>> TrialStore::ListTrials(
    absl::string_view experiment_id) {
  StoreDatabase::Lock lock(db_);
  std::vector<v1::Trial> trials;
  // Two queries for the whole experiment, not two per trial: the scheduler
  // lists an experiment's trials on every pass, with the store locked.
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        rows_.ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC)
            .status());
    int64_t next = -1;
    ASSIGN_OR_RETURN(
        trials, ReadTrials(experiment_id, 0,
                           std::numeric_limits<int64_t>::max() - 1, &next));
    return absl::OkStatus();
  }));
  return trials;
}

absl::StatusOr<TrialPage> TrialStore::ListTrialsPage(
    absl::string_view experiment_id, uint32_t page_size,
    absl::string_view page_token) {
  if (page_size == 0) page_size = kDefaultTrialPageSize;
  page_size = std::min(page_size, kMaxTrialPageSize);
  int64_t first = 0;
  if (!page_token.empty()) {
    absl::string_view number = page_token;
    if (!absl::ConsumePrefix(&number, kTrialPageTokenPrefix) ||
        !absl::SimpleAtoi(number, &first) || first <= 0) {
      return absl::InvalidArgumentError("page_token: not issued by this store");
    }
  }
  StoreDatabase::Lock lock(db_);
  TrialPage page;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        rows_.ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC)
            .status());
    int64_t next = -1;
    ASSIGN_OR_RETURN(page.trials,
                     ReadTrials(experiment_id, first, page_size, &next));
    // Cut before the trial that would take the page past kMaxPageBytes.
    size_t bytes = 0;
    for (size_t i = 0; i < page.trials.size(); ++i) {
      bytes += page.trials[i].ByteSizeLong();
      if (i > 0 && bytes > kMaxPageBytes) {
        ASSIGN_OR_RETURN(const api::TrialRef cut,
                         api::ParseTrialName(page.trials[i].name()));
        next = cut.trial;
        page.trials.resize(i);
        break;
      }
    }
    if (next >= 0) {
      page.next_page_token = absl::StrCat(kTrialPageTokenPrefix, next);
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<v1::Trial> TrialStore::GetTrial(absl::string_view trial_name) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(trial_name));
  StoreDatabase::Lock lock(db_);
  v1::Trial trial;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(trial, rows_.ReadTrial(ref.experiment_id, ref.trial));
    return absl::OkStatus();
  }));
  std::vector<v1::Trial> one = {std::move(trial)};
  FillWaiting(ref.experiment_id, one);
  return std::move(one.front());
}

absl::StatusOr<v1::Attempt> TrialStore::StartAttempt(
    absl::string_view trial_name,
    const google::protobuf::Map<std::string, std::string>& placement) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(trial_name));
  StoreDatabase::Lock lock(db_);
  v1::Attempt attempt;
  RETURN_IF_ERROR(db_->InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        v1::Experiment experiment,
        rows_.ReadExperiment(ref.experiment_id, v1::EXPERIMENT_VIEW_BASIC));
    if (ExperimentEnded(experiment.state()) ||
        experiment.state() == v1::EXPERIMENT_STATE_CANCELLING) {
      return absl::FailedPreconditionError(
          absl::StrCat(experiment.name(), " is ",
                       v1::ExperimentState_Name(experiment.state())));
    }
    ASSIGN_OR_RETURN(v1::Trial trial,
                     rows_.ReadTrial(ref.experiment_id, ref.trial));
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
    const std::string placed_blob = Serialize(placed);
    ASSIGN_OR_RETURN(Statement insert,
                     db_->Prepare("INSERT INTO attempts (experiment, trial, "
                                  "number, placement, start_time) VALUES (?, "
                                  "?, ?, ?, ?)",
                                  ref.experiment_id, ref.trial, number,
                                  Blob{placed_blob}, db_->NowMicros()));
    RETURN_IF_ERROR(insert.Run());
    RETURN_IF_ERROR(
        internal::UpdateTrialState(*db_, ref, v1::TRIAL_STATE_PREPARING));
    if (experiment.state() == v1::EXPERIMENT_STATE_PENDING) {
      ASSIGN_OR_RETURN(
          Statement run,
          db_->Prepare("UPDATE experiments SET state = ?, start_time = "
                       "COALESCE(start_time, ?) WHERE id = ?",
                       v1::EXPERIMENT_STATE_RUNNING, db_->NowMicros(),
                       ref.experiment_id));
      RETURN_IF_ERROR(run.Run());
    }
    ASSIGN_OR_RETURN(trial, rows_.ReadTrial(ref.experiment_id, ref.trial));
    attempt = trial.attempts(trial.attempts_size() - 1);
    return rows_.AppendEvent(
        ref.experiment_id, &trial, nullptr,
        absl::StrFormat("trial %d attempt %d started", ref.trial, number));
  }));
  return attempt;
}

absl::Status TrialStore::SetTrialState(absl::string_view trial_name,
                                       v1::TrialState state,
                                       absl::string_view message) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(trial_name));
  if (state == v1::TRIAL_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError("trial state: unspecified");
  }
  StoreDatabase::Lock lock(db_);
  return db_->InTransaction([&]() -> absl::Status {
    return rows_.SetTrialStateLocked(ref, state, message);
  });
}

absl::Status TrialStore::FinishAttempt(
    const v1::AttemptKey& key, const std::optional<v1::Failure>& failure) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(key.trial()));
  StoreDatabase::Lock lock(db_);
  return db_->InTransaction([&]() -> absl::Status {
    return rows_.FinishAttemptLocked(ref, key, failure);
  });
}

absl::Status TrialStore::EndAttempt(const v1::AttemptKey& key,
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
  StoreDatabase::Lock lock(db_);
  return db_->InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(v1::Trial trial,
                     rows_.ReadTrial(ref.experiment_id, ref.trial));
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
      RETURN_IF_ERROR(rows_.StoreTrialResultLocked(ref, *result));
    RETURN_IF_ERROR(rows_.FinishAttemptLocked(ref, key, failure));
    return rows_.SetTrialStateLocked(ref, next_state, message);
  });
}

}  // namespace scalebench::coordinator
