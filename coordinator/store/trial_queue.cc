// TrialStore's queue: the trials an adaptive round adds, and the queued
// trials an experiment's end ends.
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
#include "coordinator/store/trial_store.h"

namespace scalebench::coordinator {

using internal::ExperimentEnded;
using internal::TrialEnded;

absl::StatusOr<std::vector<v1::Trial>> TrialStore::AddTrials(
    absl::string_view experiment_id,
    const std::vector<uint32_t>& configuration_indexes,
    absl::string_view message) {
  StoreDatabase::Lock lock(db_);
  std::vector<v1::Trial> added;
  RETURN_IF_ERROR(db_->InTransaction([&]() -> absl::Status {
    added.clear();
    ASSIGN_OR_RETURN(
        v1::Experiment experiment,
        rows_.ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_FULL));
    if (ExperimentEnded(experiment.state()) ||
        experiment.state() == v1::EXPERIMENT_STATE_CANCELLING) {
      return absl::FailedPreconditionError(
          absl::StrCat(experiment.name(), " is ",
                       v1::ExperimentState_Name(experiment.state())));
    }
    // The next repetition of each configuration, and the next number.
    absl::flat_hash_map<uint32_t, uint32_t> next_repetition;
    int64_t next_number = 0;
    ASSIGN_OR_RETURN(
        Statement counts,
        db_->Prepare("SELECT configuration_index, MAX(repetition), "
                     "MAX(number) FROM trials WHERE experiment = ? GROUP BY "
                     "configuration_index"));
    counts.Bind(1, experiment_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, counts.Step());
      if (!row) break;
      next_repetition[static_cast<uint32_t>(counts.ColumnInt(0))] =
          static_cast<uint32_t>(counts.ColumnInt(1)) + 1;
      next_number = std::max(next_number, counts.ColumnInt(2) + 1);
    }
    ASSIGN_OR_RETURN(Statement insert,
                     db_->Prepare("INSERT INTO trials (experiment, number, "
                                  "configuration_index, repetition, state) "
                                  "VALUES (?, ?, ?, ?, ?)"));
    for (size_t i = 0; i < configuration_indexes.size(); ++i) {
      const uint32_t index = configuration_indexes[i];
      if (index >= static_cast<uint32_t>(experiment.configurations_size())) {
        return absl::InvalidArgumentError(
            absl::StrCat("configuration_indexes[", i, "]: ", experiment.name(),
                         " has no configuration ", index));
      }
      const uint32_t repetition = next_repetition[index]++;
      insert.Reset();
      insert.Bind(1, experiment_id)
          .Bind(2, next_number)
          .Bind(3, static_cast<int64_t>(index))
          .Bind(4, static_cast<int64_t>(repetition))
          .Bind(5, static_cast<int64_t>(v1::TRIAL_STATE_QUEUED));
      RETURN_IF_ERROR(insert.Run());
      ASSIGN_OR_RETURN(
          v1::Trial trial,
          rows_.ReadTrial(experiment_id, static_cast<uint32_t>(next_number)));
      added.push_back(std::move(trial));
      ++next_number;
    }
    return rows_.AppendEvent(experiment_id, nullptr, nullptr, message);
  }));
  return added;
}

absl::StatusOr<uint32_t> TrialStore::EndQueuedTrials(
    absl::string_view experiment_id, v1::TrialState trial_state,
    std::optional<v1::ExperimentState> then_experiment,
    absl::string_view message) {
  if (!TrialEnded(trial_state) ||
      (then_experiment.has_value() && !ExperimentEnded(*then_experiment))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "EndQueuedTrials: ", v1::TrialState_Name(trial_state),
        then_experiment.has_value()
            ? absl::StrCat(" and ", v1::ExperimentState_Name(*then_experiment))
            : "",
        ": not an end"));
  }
  StoreDatabase::Lock lock(db_);
  uint32_t ended = 0;
  RETURN_IF_ERROR(db_->InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        v1::Experiment experiment,
        rows_.ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC));
    if (ExperimentEnded(experiment.state())) {
      return absl::FailedPreconditionError(absl::StrCat(
          experiment.name(),
          " has ended: ", v1::ExperimentState_Name(experiment.state())));
    }
    // One statement for every trial: a cancel of the largest experiment
    // is one pass over its trials, not one transaction each.
    ASSIGN_OR_RETURN(
        Statement update,
        db_->Prepare("UPDATE trials SET state = ? WHERE experiment = ? AND "
                     "state = ? AND NOT EXISTS (SELECT 1 FROM attempts a "
                     "WHERE a.experiment = trials.experiment AND a.trial = "
                     "trials.number AND a.end_time IS NULL)"));
    update.Bind(1, static_cast<int64_t>(trial_state))
        .Bind(2, experiment_id)
        .Bind(3, static_cast<int64_t>(v1::TRIAL_STATE_QUEUED));
    RETURN_IF_ERROR(update.Run());
    ended = static_cast<uint32_t>(db_->Changes());
    if (ended > 0) {
      // The reason is said once, by the experiment's event when it ends
      // here too.
      RETURN_IF_ERROR(rows_.AppendEvent(
          experiment_id, nullptr, nullptr,
          absl::StrCat(
              ended, " queued trial", ended == 1 ? "" : "s", " ",
              trial_state == v1::TRIAL_STATE_CANCELLED ? "cancelled" : "failed",
              then_experiment.has_value() ? "" : ": ",
              then_experiment.has_value() ? "" : message)));
    }
    if (!then_experiment.has_value()) return absl::OkStatus();
    ASSIGN_OR_RETURN(Statement running,
                     db_->Prepare("SELECT 1 FROM attempts WHERE experiment = "
                                  "? AND end_time IS NULL LIMIT 1"));
    running.Bind(1, experiment_id);
    ASSIGN_OR_RETURN(bool any_running, running.Step());
    if (any_running) return absl::OkStatus();
    return rows_.SetExperimentStateLocked(experiment_id, *then_experiment,
                                          message);
  }));
  return ended;
}

}  // namespace scalebench::coordinator
