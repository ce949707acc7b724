#include "coordinator/store/store_rows.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

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
#include "coordinator/trials/trial_order.h"
#include "spec/defaults.h"
#include "spec/grid.h"
#include "spec/validate.h"

namespace scalebench::coordinator::internal {

// The attempt in columns first.. first + 4 of `stmt`: number, placement,
// start_time, end_time, failure.
absl::StatusOr<v1::Attempt> AttemptFromRow(Statement& stmt, int first) {
  ASSIGN_OR_RETURN(v1::Attempt attempt,
                   Parse<v1::Attempt>(stmt.ColumnBlob(first + 1), "placement"));
  attempt.set_number(static_cast<uint32_t>(stmt.ColumnInt(first)));
  *attempt.mutable_start_time() = MicrosToProto(stmt.ColumnInt(first + 2));
  if (!stmt.ColumnIsNull(first + 3)) {
    *attempt.mutable_end_time() = MicrosToProto(stmt.ColumnInt(first + 3));
  }
  if (!stmt.ColumnIsNull(first + 4)) {
    ASSIGN_OR_RETURN(*attempt.mutable_failure(),
                     Parse<v1::Failure>(stmt.ColumnBlob(first + 4), "failure"));
  }
  return attempt;
}

std::string Serialize(const google::protobuf::MessageLite& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

google::protobuf::Timestamp MicrosToProto(int64_t micros) {
  return TimeToProto(absl::FromUnixMicros(micros));
}

}  // namespace scalebench::coordinator::internal

namespace scalebench::coordinator {

using internal::ExperimentEnded;
using internal::MicrosToProto;
using internal::Parse;
using internal::Serialize;

namespace {

constexpr char kExperimentIdPrefix[] = "exp-";

}  // namespace

absl::StatusOr<std::string> StoreRows::CreateExperimentLocked(
    const v1::ExperimentSpec& spec, absl::string_view spec_source,
    absl::string_view request_id, uint64_t seed, absl::string_view schedule_id,
    std::optional<absl::Time> night) {
  // Every way in (a request, a schedule's stored spec) is checked here too,
  // so no size beyond the limits reaches the grid or the plan below.
  RETURN_IF_ERROR(spec::ValidateSpec(spec));
  const v1::ExperimentSpec full = spec::WithDefaults(spec);
  const std::vector<v1::Configuration> configurations = spec::ExpandGrid(full);
  const uint32_t repetitions = spec::MinRepetitions(full.repetitions());
  const std::string spec_blob = Serialize(spec);

  if (!request_id.empty()) {
    ASSIGN_OR_RETURN(
        Statement find,
        db_->Prepare("SELECT id, spec FROM experiments WHERE request_id = ?"));
    find.Bind(1, request_id);
    ASSIGN_OR_RETURN(bool found, find.Step());
    if (found) {
      if (find.ColumnBlob(1) != spec_blob) {
        return absl::AlreadyExistsError(absl::StrCat(
            "request_id ", request_id, " was used for experiment ",
            api::ExperimentName(find.ColumnText(0)), " with a different spec"));
      }
      return find.ColumnText(0);
    }
  }
  ASSIGN_OR_RETURN(
      Statement next,
      db_->Prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM experiments"));
  ASSIGN_OR_RETURN(bool row, next.Step());
  const int64_t seq = row ? next.ColumnInt(0) : 1;
  const std::string id = absl::StrFormat("%s%06d", kExperimentIdPrefix, seq);
  const int64_t now = db_->NowMicros();

  ASSIGN_OR_RETURN(
      Statement insert,
      db_->Prepare("INSERT INTO experiments (seq, id, name, spec, "
                   "spec_source, state, seed, create_time, request_id, "
                   "schedule, night) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, seq).Bind(2, id).Bind(3, spec.name()).BindBlob(4, spec_blob);
  insert.Bind(5, spec_source)
      .Bind(6, static_cast<int64_t>(v1::EXPERIMENT_STATE_PENDING))
      .Bind(7, static_cast<int64_t>(seed))
      .Bind(8, now);
  if (request_id.empty()) {
    insert.BindNull(9);
  } else {
    insert.Bind(9, request_id);
  }
  if (schedule_id.empty()) {
    insert.BindNull(10).BindNull(11);
  } else {
    insert.Bind(10, schedule_id)
        .Bind(11,
              absl::ToUnixMicros(night.value_or(absl::FromUnixMicros(now))));
  }
  RETURN_IF_ERROR(insert.Run());

  ASSIGN_OR_RETURN(Statement config,
                   db_->Prepare("INSERT INTO configurations (experiment, "
                                "idx, configuration) VALUES (?, ?, ?)"));
  for (const v1::Configuration& c : configurations) {
    config.Reset();
    config.Bind(1, id)
        .Bind(2, static_cast<int64_t>(c.index()))
        .BindBlob(3, Serialize(c));
    RETURN_IF_ERROR(config.Run());
  }

  ASSIGN_OR_RETURN(const std::vector<TrialPlan> plan,
                   PlanTrials(static_cast<uint32_t>(configurations.size()),
                              repetitions, full.order(), seed));
  ASSIGN_OR_RETURN(Statement trial,
                   db_->Prepare("INSERT INTO trials (experiment, number, "
                                "configuration_index, repetition, state) "
                                "VALUES (?, ?, ?, ?, ?)"));
  for (size_t n = 0; n < plan.size(); ++n) {
    trial.Reset();
    trial.Bind(1, id)
        .Bind(2, static_cast<int64_t>(n))
        .Bind(3, static_cast<int64_t>(plan[n].configuration_index))
        .Bind(4, static_cast<int64_t>(plan[n].repetition))
        .Bind(5, static_cast<int64_t>(v1::TRIAL_STATE_QUEUED));
    RETURN_IF_ERROR(trial.Run());
  }
  RETURN_IF_ERROR(AppendEvent(
      id, nullptr, nullptr,
      absl::StrFormat("experiment created: %d configurations x %d "
                      "repetitions = %d trials%s",
                      configurations.size(), repetitions, plan.size(),
                      schedule_id.empty()
                          ? ""
                          : absl::StrCat(", by schedule ",
                                         api::ScheduleName(schedule_id)))));
  return id;
}

absl::Status StoreRows::ReadProgress(absl::string_view id,
                                     v1::Experiment::Progress* progress) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_->Prepare("SELECT state, COUNT(*) FROM trials WHERE "
                                "experiment = ? GROUP BY state"));
  stmt.Bind(1, id);
  *progress = v1::Experiment::Progress();
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    const auto count = static_cast<uint32_t>(stmt.ColumnInt(1));
    progress->set_trials_total(progress->trials_total() + count);
    switch (static_cast<v1::TrialState>(stmt.ColumnInt(0))) {
      case v1::TRIAL_STATE_SUCCEEDED:
        progress->set_trials_succeeded(progress->trials_succeeded() + count);
        break;
      case v1::TRIAL_STATE_FAILED:
        progress->set_trials_failed(progress->trials_failed() + count);
        break;
      case v1::TRIAL_STATE_PREPARING:
      case v1::TRIAL_STATE_MEASURING:
      case v1::TRIAL_STATE_COLLECTING:
        progress->set_trials_running(progress->trials_running() + count);
        break;
      default:
        break;
    }
  }
  // The time left: the trials not yet ended, at the mean length of the
  // successful attempts so far, as many at a time as run now.
  const uint32_t left = progress->trials_total() -
                        progress->trials_succeeded() -
                        progress->trials_failed();
  if (left == 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(Statement mean,
                   db_->Prepare("SELECT AVG(end_time - start_time) FROM "
                                "attempts WHERE experiment = ? AND end_time "
                                "IS NOT NULL AND failure IS NULL"));
  mean.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, mean.Step());
  if (!row || mean.ColumnIsNull(0)) return absl::OkStatus();
  const double micros = static_cast<double>(mean.ColumnInt(0)) * left /
                        std::max<uint32_t>(1, progress->trials_running());
  *progress->mutable_estimated_remaining() =
      DurationToProto(absl::Microseconds(micros));
  return absl::OkStatus();
}

absl::StatusOr<v1::Experiment> StoreRows::ReadExperiment(
    absl::string_view id, v1::ExperimentView view) {
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("SELECT spec, spec_source, state, seed, create_time, "
                   "start_time, end_time, status_message, schedule, night, "
                   "waiting_for FROM experiments WHERE id = ?"));
  stmt.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("no experiment ", api::ExperimentName(id)));
  }
  v1::Experiment experiment;
  experiment.set_name(api::ExperimentName(id));
  ASSIGN_OR_RETURN(*experiment.mutable_spec(),
                   Parse<v1::ExperimentSpec>(stmt.ColumnBlob(0), "spec"));
  const bool full = view == v1::EXPERIMENT_VIEW_FULL;
  if (full) experiment.set_spec_source(stmt.ColumnText(1));
  experiment.set_state(static_cast<v1::ExperimentState>(stmt.ColumnInt(2)));
  experiment.set_seed(static_cast<uint64_t>(stmt.ColumnInt(3)));
  *experiment.mutable_create_time() = MicrosToProto(stmt.ColumnInt(4));
  if (!stmt.ColumnIsNull(5)) {
    *experiment.mutable_start_time() = MicrosToProto(stmt.ColumnInt(5));
  }
  if (!stmt.ColumnIsNull(6)) {
    *experiment.mutable_end_time() = MicrosToProto(stmt.ColumnInt(6));
  }
  experiment.set_status_message(stmt.ColumnText(7));
  experiment.set_waiting_for(stmt.ColumnText(10));
  if (!stmt.ColumnIsNull(8)) {
    experiment.set_schedule(api::ScheduleName(stmt.ColumnText(8)));
    *experiment.mutable_night() = MicrosToProto(stmt.ColumnInt(9));
  }
  RETURN_IF_ERROR(ReadProgress(id, experiment.mutable_progress()));
  if (full) {
    ASSIGN_OR_RETURN(Statement configs,
                     db_->Prepare("SELECT configuration FROM configurations "
                                  "WHERE experiment = ? ORDER BY idx"));
    configs.Bind(1, id);
    while (true) {
      ASSIGN_OR_RETURN(bool more, configs.Step());
      if (!more) break;
      ASSIGN_OR_RETURN(
          *experiment.add_configurations(),
          Parse<v1::Configuration>(configs.ColumnBlob(0), "configuration"));
    }
  }
  return experiment;
}

absl::Status StoreRows::ReadAttempts(absl::string_view experiment_id,
                                     uint32_t number, v1::Trial* trial) {
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("SELECT number, placement, start_time, end_time, failure "
                   "FROM attempts WHERE experiment = ? AND trial = ? "
                   "ORDER BY number"));
  stmt.Bind(1, experiment_id).Bind(2, static_cast<int64_t>(number));
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return absl::OkStatus();
    ASSIGN_OR_RETURN(*trial->add_attempts(), internal::AttemptFromRow(stmt, 0));
  }
}

absl::StatusOr<v1::Trial> StoreRows::ReadTrial(absl::string_view experiment_id,
                                               uint32_t number) {
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("SELECT configuration_index, repetition, state FROM trials "
                   "WHERE experiment = ? AND number = ?"));
  stmt.Bind(1, experiment_id).Bind(2, static_cast<int64_t>(number));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("no trial ", api::TrialName(experiment_id, number)));
  }
  v1::Trial trial;
  trial.set_name(api::TrialName(experiment_id, number));
  trial.set_configuration_index(static_cast<uint32_t>(stmt.ColumnInt(0)));
  trial.set_repetition(static_cast<uint32_t>(stmt.ColumnInt(1)));
  trial.set_state(static_cast<v1::TrialState>(stmt.ColumnInt(2)));
  RETURN_IF_ERROR(ReadAttempts(experiment_id, number, &trial));
  return trial;
}

absl::Status StoreRows::AppendEvent(absl::string_view experiment_id,
                                    const v1::Trial* trial,
                                    const v1::TrialResult* result,
                                    absl::string_view message) {
  ASSIGN_OR_RETURN(Statement next,
                   db_->Prepare("SELECT COALESCE(MAX(sequence), 0) + 1 FROM "
                                "events WHERE experiment = ?"));
  next.Bind(1, experiment_id);
  ASSIGN_OR_RETURN(bool row, next.Step());
  const int64_t sequence = row ? next.ColumnInt(0) : 1;
  const int64_t now = db_->NowMicros();

  v1::ExperimentEvent event;
  event.set_sequence(static_cast<uint64_t>(sequence));
  *event.mutable_time() = MicrosToProto(now);
  ASSIGN_OR_RETURN(*event.mutable_experiment(),
                   ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC));
  if (trial != nullptr) *event.mutable_trial() = *trial;
  if (result != nullptr) *event.mutable_result() = *result;
  event.set_message(std::string(message));

  ASSIGN_OR_RETURN(Statement insert,
                   db_->Prepare("INSERT INTO events (experiment, sequence, "
                                "time, event) VALUES (?, ?, ?, ?)"));
  insert.Bind(1, experiment_id)
      .Bind(2, sequence)
      .Bind(3, now)
      .BindBlob(4, Serialize(event));
  return insert.Run();
}

absl::Status StoreRows::SetExperimentStateLocked(
    absl::string_view experiment_id, v1::ExperimentState state,
    absl::string_view status_message) {
  {
    ASSIGN_OR_RETURN(v1::Experiment experiment,
                     ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC));
    if (experiment.state() == state) return absl::OkStatus();
    if (ExperimentEnded(experiment.state())) {
      return absl::FailedPreconditionError(absl::StrCat(
          experiment.name(),
          " has ended: ", v1::ExperimentState_Name(experiment.state())));
    }
    const int64_t now = db_->NowMicros();
    ASSIGN_OR_RETURN(
        Statement update,
        db_->Prepare("UPDATE experiments SET state = ?, status_message = ?, "
                     "start_time = CASE WHEN ? THEN COALESCE(start_time, ?) "
                     "ELSE start_time END, end_time = CASE WHEN ? THEN ? ELSE "
                     "end_time END, waiting_for = CASE WHEN ? THEN '' ELSE "
                     "waiting_for END WHERE id = ?"));
    update.Bind(1, static_cast<int64_t>(state))
        .Bind(2, status_message)
        .Bind(3, int64_t{state == v1::EXPERIMENT_STATE_RUNNING})
        .Bind(4, now)
        .Bind(5, int64_t{ExperimentEnded(state)})
        .Bind(6, now)
        .Bind(7, int64_t{ExperimentEnded(state)})
        .Bind(8, experiment_id);
    RETURN_IF_ERROR(update.Run());
    return AppendEvent(
        experiment_id, nullptr, nullptr,
        status_message.empty()
            ? absl::StrCat("experiment ", v1::ExperimentState_Name(state))
            : std::string(status_message));
  }
}

}  // namespace scalebench::coordinator
