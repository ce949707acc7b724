#include "coordinator/store/schedule_store.h"

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
using internal::MicrosToProto;
using internal::Parse;
using internal::Serialize;

namespace {

// The fields of a v1::Schedule the store keeps as given; the output-only
// ones are filled in on every read.
v1::Schedule AsGiven(const v1::Schedule& schedule) {
  v1::Schedule given = schedule;
  given.clear_paused();
  given.clear_create_time();
  given.clear_next_run_time();
  given.clear_last_run();
  return given;
}

absl::Status NoSchedule(absl::string_view schedule_id) {
  return absl::NotFoundError(
      absl::StrCat("no schedule ", api::ScheduleName(schedule_id)));
}

}  // namespace

absl::StatusOr<StoredSchedule> ScheduleStore::ReadSchedule(
    absl::string_view schedule_id) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_->Prepare("SELECT schedule, paused, last_fire_time, "
                                "create_time FROM schedules WHERE id = ?"));
  stmt.Bind(1, schedule_id);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NoSchedule(schedule_id);
  StoredSchedule stored;
  ASSIGN_OR_RETURN(stored.schedule,
                   Parse<v1::Schedule>(stmt.ColumnBlob(0), "schedule"));
  stored.schedule.set_name(api::ScheduleName(schedule_id));
  stored.schedule.set_paused(stmt.ColumnInt(1) != 0);
  stored.last_fire_time = absl::FromUnixMicros(stmt.ColumnInt(2));
  *stored.schedule.mutable_create_time() = MicrosToProto(stmt.ColumnInt(3));

  ASSIGN_OR_RETURN(Statement last,
                   db_->Prepare("SELECT run FROM schedule_runs WHERE "
                                "schedule = ? ORDER BY seq DESC LIMIT 1"));
  last.Bind(1, schedule_id);
  ASSIGN_OR_RETURN(bool has_run, last.Step());
  if (has_run) {
    ASSIGN_OR_RETURN(*stored.schedule.mutable_last_run(),
                     Parse<v1::ScheduleRun>(last.ColumnBlob(0), "run"));
  }
  return stored;
}

absl::StatusOr<StoredSchedule> ScheduleStore::CreateSchedule(
    const v1::Schedule& schedule) {
  ASSIGN_OR_RETURN(std::string id, api::ParseScheduleName(schedule.name()));
  StoreDatabase::Lock lock(db_);
  StoredSchedule stored;
  RETURN_IF_ERROR(db_->InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Statement exists,
                     db_->Prepare("SELECT 1 FROM schedules WHERE id = ?"));
    exists.Bind(1, id);
    ASSIGN_OR_RETURN(bool found, exists.Step());
    if (found) {
      return absl::AlreadyExistsError(
          absl::StrCat("a schedule named ", schedule.name(),
                       " exists; delete it first or choose another name"));
    }
    const int64_t now = db_->NowMicros();
    ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT INTO schedules (id, schedule, paused, "
                     "last_fire_time, create_time) VALUES (?, ?, 0, ?, ?)"));
    insert.Bind(1, id).BindBlob(2, Serialize(AsGiven(schedule)));
    insert.Bind(3, now).Bind(4, now);
    RETURN_IF_ERROR(insert.Run());
    ASSIGN_OR_RETURN(stored, ReadSchedule(id));
    return absl::OkStatus();
  }));
  return stored;
}

absl::StatusOr<StoredSchedule> ScheduleStore::GetSchedule(
    absl::string_view schedule_id) {
  StoreDatabase::Lock lock(db_);
  StoredSchedule stored;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(stored, ReadSchedule(schedule_id));
    return absl::OkStatus();
  }));
  return stored;
}

absl::StatusOr<std::vector<StoredSchedule>> ScheduleStore::ListSchedules() {
  StoreDatabase::Lock lock(db_);
  std::vector<StoredSchedule> schedules;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT id FROM schedules ORDER BY id"));
    std::vector<std::string> ids;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      ids.push_back(stmt.ColumnText(0));
    }
    for (const std::string& id : ids) {
      ASSIGN_OR_RETURN(StoredSchedule stored, ReadSchedule(id));
      schedules.push_back(std::move(stored));
    }
    return absl::OkStatus();
  }));
  return schedules;
}

absl::StatusOr<StoredSchedule> ScheduleStore::SetSchedulePaused(
    absl::string_view schedule_id, bool paused) {
  StoreDatabase::Lock lock(db_);
  StoredSchedule stored;
  RETURN_IF_ERROR(db_->InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(stored, ReadSchedule(schedule_id));
    if (stored.schedule.paused() == paused) return absl::OkStatus();
    // Resuming starts the count afresh: what it slept through is skipped.
    ASSIGN_OR_RETURN(
        Statement update,
        db_->Prepare(
            "UPDATE schedules SET paused = ?, last_fire_time = "
            "CASE WHEN ? THEN last_fire_time ELSE ? END WHERE id = ?"));
    update.Bind(1, int64_t{paused})
        .Bind(2, int64_t{paused})
        .Bind(3, db_->NowMicros())
        .Bind(4, schedule_id);
    RETURN_IF_ERROR(update.Run());
    ASSIGN_OR_RETURN(stored, ReadSchedule(schedule_id));
    return absl::OkStatus();
  }));
  return stored;
}

absl::Status ScheduleStore::DeleteSchedule(absl::string_view schedule_id) {
  StoreDatabase::Lock lock(db_);
  return db_->InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Statement runs,
                     db_->Prepare("DELETE FROM schedule_runs WHERE schedule "
                                  "= ?"));
    runs.Bind(1, schedule_id);
    RETURN_IF_ERROR(runs.Run());
    ASSIGN_OR_RETURN(Statement remove,
                     db_->Prepare("DELETE FROM schedules WHERE id = ?"));
    remove.Bind(1, schedule_id);
    RETURN_IF_ERROR(remove.Run());
    if (db_->Changes() == 0) return NoSchedule(schedule_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ScheduleRun> ScheduleStore::FireSchedule(
    absl::string_view schedule_id, const Firing& firing) {
  StoreDatabase::Lock lock(db_);
  v1::ScheduleRun run;
  RETURN_IF_ERROR(db_->InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(StoredSchedule stored, ReadSchedule(schedule_id));
    const v1::Schedule& schedule = stored.schedule;
    const bool has_request_id = firing.manual && !firing.request_id.empty();
    if (has_request_id) {
      ASSIGN_OR_RETURN(Statement find,
                       db_->Prepare("SELECT schedule, run FROM schedule_runs "
                                    "WHERE request_id = ?"));
      find.Bind(1, firing.request_id);
      ASSIGN_OR_RETURN(bool found, find.Step());
      if (found) {
        if (find.ColumnText(0) != schedule_id) {
          return absl::AlreadyExistsError(
              absl::StrCat("request_id ", firing.request_id, " was used for ",
                           api::ScheduleName(find.ColumnText(0))));
        }
        ASSIGN_OR_RETURN(
            run, Parse<v1::ScheduleRun>(find.ColumnBlob(1), "schedule run"));
        return absl::OkStatus();
      }
    }
    const absl::Time night =
        firing.manual ? absl::FromUnixMicros(db_->NowMicros()) : firing.night;
    if (!firing.manual) {
      if (schedule.paused()) {
        return absl::FailedPreconditionError(
            absl::StrCat(schedule.name(), " is paused"));
      }
      if (night <= stored.last_fire_time) {
        return absl::FailedPreconditionError(
            absl::StrCat(schedule.name(), " has acted on its firings up to ",
                         absl::FormatTime(stored.last_fire_time)));
      }
    }
    run = v1::ScheduleRun();
    run.set_schedule(schedule.name());
    *run.mutable_night() = TimeToProto(night);
    *run.mutable_time() = MicrosToProto(db_->NowMicros());
    run.set_missed_firings(firing.missed_firings);
    run.set_manual(firing.manual);

    // The latest run that started an experiment: is it still going?
    ASSIGN_OR_RETURN(
        Statement previous,
        db_->Prepare("SELECT r.experiment, e.state FROM schedule_runs r JOIN "
                     "experiments e ON e.id = r.experiment WHERE r.schedule = "
                     "? ORDER BY r.seq DESC LIMIT 1"));
    previous.Bind(1, schedule_id);
    ASSIGN_OR_RETURN(bool has_previous, previous.Step());
    if (has_previous && !ExperimentEnded(static_cast<v1::ExperimentState>(
                            previous.ColumnInt(1)))) {
      const std::string running = api::ExperimentName(previous.ColumnText(0));
      if (firing.manual) {
        return absl::FailedPreconditionError(
            absl::StrCat("the previous run of ", schedule.name(), ", ", running,
                         ", is still going; cancel it or wait"));
      }
      run.set_skip_reason(
          absl::StrCat("the previous run ", running, " is still going"));
    } else {
      ASSIGN_OR_RETURN(
          std::string experiment_id,
          rows_.CreateExperimentLocked(
              schedule.spec(), schedule.spec_source(),
              /*request_id=*/"",
              schedule.spec().has_seed() ? schedule.spec().seed() : firing.seed,
              schedule_id, night));
      run.set_experiment(api::ExperimentName(experiment_id));
    }

    ASSIGN_OR_RETURN(
        Statement next,
        db_->Prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM schedule_runs "
                     "WHERE schedule = ?"));
    next.Bind(1, schedule_id);
    ASSIGN_OR_RETURN(bool row, next.Step());
    const int64_t seq = row ? next.ColumnInt(0) : 1;
    ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT INTO schedule_runs (schedule, seq, night, "
                     "experiment, judged, run, request_id) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    insert.Bind(1, schedule_id).Bind(2, seq).Bind(3, absl::ToUnixMicros(night));
    if (run.experiment().empty()) {
      // A skip has nothing to judge.
      insert.BindNull(4).Bind(5, int64_t{1});
    } else {
      ASSIGN_OR_RETURN(std::string id,
                       api::ParseExperimentName(run.experiment()));
      insert.Bind(4, id).Bind(5, int64_t{0});
    }
    insert.BindBlob(6, Serialize(run));
    if (has_request_id) {
      insert.Bind(7, firing.request_id);
    } else {
      insert.BindNull(7);
    }
    RETURN_IF_ERROR(insert.Run());

    if (!firing.manual) {
      ASSIGN_OR_RETURN(Statement moved,
                       db_->Prepare("UPDATE schedules SET last_fire_time = ? "
                                    "WHERE id = ?"));
      moved.Bind(1, absl::ToUnixMicros(night)).Bind(2, schedule_id);
      RETURN_IF_ERROR(moved.Run());
    }
    return absl::OkStatus();
  }));
  return run;
}

absl::StatusOr<std::vector<v1::ScheduleRun>> ScheduleStore::ListScheduleRuns(
    absl::string_view schedule_id) {
  StoreDatabase::Lock lock(db_);
  std::vector<v1::ScheduleRun> runs;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(ReadSchedule(schedule_id).status());
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT run FROM schedule_runs WHERE "
                                  "schedule = ? ORDER BY seq DESC"));
    stmt.Bind(1, schedule_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return absl::OkStatus();
      ASSIGN_OR_RETURN(v1::ScheduleRun run,
                       Parse<v1::ScheduleRun>(stmt.ColumnBlob(0), "run"));
      runs.push_back(std::move(run));
    }
  }));
  return runs;
}

absl::StatusOr<std::vector<UnjudgedRun>> ScheduleStore::ListUnjudgedRuns() {
  StoreDatabase::Lock lock(db_);
  std::vector<UnjudgedRun> runs;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement stmt,
        db_->Prepare("SELECT r.schedule, r.seq, r.run FROM schedule_runs r "
                     "JOIN experiments e ON e.id = r.experiment WHERE "
                     "r.judged = 0 AND e.state IN (?, ?, ?) ORDER BY "
                     "r.night, r.schedule, r.seq"));
    stmt.Bind(1, static_cast<int64_t>(v1::EXPERIMENT_STATE_SUCCEEDED))
        .Bind(2, static_cast<int64_t>(v1::EXPERIMENT_STATE_FAILED))
        .Bind(3, static_cast<int64_t>(v1::EXPERIMENT_STATE_CANCELLED));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return absl::OkStatus();
      UnjudgedRun unjudged;
      unjudged.schedule_id = stmt.ColumnText(0);
      unjudged.seq = stmt.ColumnInt(1);
      ASSIGN_OR_RETURN(unjudged.run,
                       Parse<v1::ScheduleRun>(stmt.ColumnBlob(2), "run"));
      runs.push_back(std::move(unjudged));
    }
  }));
  return runs;
}

absl::Status ScheduleStore::JudgeRun(
    absl::string_view schedule_id, int64_t seq, absl::string_view verdict,
    absl::string_view verdict_detail,
    const std::vector<NewNotification>& notifications) {
  StoreDatabase::Lock lock(db_);
  return db_->InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Statement read,
                     db_->Prepare("SELECT run FROM schedule_runs WHERE "
                                  "schedule = ? AND seq = ?"));
    read.Bind(1, schedule_id).Bind(2, seq);
    ASSIGN_OR_RETURN(bool found, read.Step());
    if (!found) {
      return absl::NotFoundError(
          absl::StrCat("no run ", seq, " of ", api::ScheduleName(schedule_id)));
    }
    ASSIGN_OR_RETURN(v1::ScheduleRun run,
                     Parse<v1::ScheduleRun>(read.ColumnBlob(0), "run"));
    run.set_verdict(std::string(verdict));
    run.set_verdict_detail(std::string(verdict_detail));
    ASSIGN_OR_RETURN(Statement update,
                     db_->Prepare("UPDATE schedule_runs SET judged = 1, run = "
                                  "? WHERE schedule = ? AND seq = ?"));
    update.BindBlob(1, Serialize(run)).Bind(2, schedule_id).Bind(3, seq);
    RETURN_IF_ERROR(update.Run());

    const int64_t now = db_->NowMicros();
    ASSIGN_OR_RETURN(
        Statement queue,
        db_->Prepare("INSERT INTO notifications (event_key, schedule, url, "
                     "payload, create_time, next_attempt_time) VALUES (?, ?, "
                     "?, ?, ?, ?) ON CONFLICT (event_key) DO NOTHING"));
    for (const NewNotification& n : notifications) {
      queue.Reset();
      queue.Bind(1, n.event_key)
          .Bind(2, schedule_id)
          .Bind(3, n.url)
          .Bind(4, n.payload)
          .Bind(5, now)
          .Bind(6, now);
      RETURN_IF_ERROR(queue.Run());
    }
    return absl::OkStatus();
  });
}

}  // namespace scalebench::coordinator
