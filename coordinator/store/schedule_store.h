// Nightly schedules (cron rules over a spec), their runs and skips, and
// each run's verdict. A firing creates its experiment, and a verdict
// queues its notifications (outbox_store.h), each in the same transaction.
// Callers validate schedules (nightly/nightly_schedule_rules.h). One of
// the stores over the coordinator's database (stores.h). Thread-safe:
// calls are serialized on the database.
#ifndef SCALEBENCH_COORDINATOR_STORE_SCHEDULE_STORE_H_
#define SCALEBENCH_COORDINATOR_STORE_SCHEDULE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "coordinator/store/database.h"
#include "coordinator/store/outbox_store.h"
#include "coordinator/store/store_rows.h"
#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/coordinator.pb.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::coordinator {

// A schedule as stored, with the firing it last acted on.
struct StoredSchedule {
  // As given, with create_time, paused and last_run filled in;
  // next_run_time is left for the caller, who knows the cron rules.
  v1::Schedule schedule;
  // The latest firing acted on (run or skipped), or the creation or resume
  // time when none has been since: the next firing is the first after it.
  absl::Time last_fire_time;
};

// What FireSchedule is asked to do.
struct Firing {
  // The firing the run belongs to (ScheduleRun.night); ignored for a
  // manual firing, whose night is now.
  absl::Time night;
  // Earlier firings folded into this one (ScheduleRun.missed_firings).
  uint32_t missed_firings = 0;
  // A run asked for by hand: fires even when paused, does not move
  // last_fire_time, and is refused rather than skipped when the previous
  // run is still going.
  bool manual = false;
  // The seed the experiment orders its trials with, unless its spec names
  // one.
  uint64_t seed = 0;
  // A manual firing's client-chosen id (RunScheduleRequest.request_id);
  // empty for none. Ignored for a cron firing.
  std::string request_id{};
};

// A run whose experiment has ended and has no verdict yet.
struct UnjudgedRun {
  std::string schedule_id;
  int64_t seq = 0;
  v1::ScheduleRun run;
};

class ScheduleStore final : private StoreBase {
 public:
  using StoreBase::StoreBase;

  // Stores a new schedule, not paused, with last_fire_time now.
  // ALREADY_EXISTS when one has its name; INVALID_ARGUMENT for a bad name.
  absl::StatusOr<StoredSchedule> CreateSchedule(const v1::Schedule& schedule);

  // NOT_FOUND when there is none of that id.
  absl::StatusOr<StoredSchedule> GetSchedule(absl::string_view schedule_id);

  // Every schedule, ordered by name.
  absl::StatusOr<std::vector<StoredSchedule>> ListSchedules();

  // Pauses or resumes. Resuming a paused schedule sets last_fire_time to
  // now, so the firings it slept through do not run. Idempotent.
  // NOT_FOUND.
  absl::StatusOr<StoredSchedule> SetSchedulePaused(
      absl::string_view schedule_id, bool paused);

  // Deletes the schedule and its runs; its experiments and queued
  // notifications stay. NOT_FOUND.
  absl::Status DeleteSchedule(absl::string_view schedule_id);

  // Acts on one firing in one transaction: when the schedule's latest
  // run is still going, records a skip saying so (a manual firing is
  // FAILED_PRECONDITION instead); otherwise creates the experiment from
  // the schedule's spec, recording its schedule and night, and records the
  // run. A cron firing then sets last_fire_time to `firing.night`.
  // FAILED_PRECONDITION also when a cron firing is not after
  // last_fire_time (it was acted on already), or the schedule is paused.
  // NOT_FOUND. Idempotent on a manual firing's non-empty request_id: the
  // run first recorded with it is returned unchanged, and nothing new is
  // recorded; ALREADY_EXISTS when it was used for another schedule.
  absl::StatusOr<v1::ScheduleRun> FireSchedule(absl::string_view schedule_id,
                                               const Firing& firing);

  // The schedule's runs and skips, newest first. NOT_FOUND.
  absl::StatusOr<std::vector<v1::ScheduleRun>> ListScheduleRuns(
      absl::string_view schedule_id);

  // Runs whose experiment has ended and that have no verdict, oldest
  // first.
  absl::StatusOr<std::vector<UnjudgedRun>> ListUnjudgedRuns();

  // Records a run's verdict and queues its notifications, in one
  // transaction, so a crash leaves both or neither. A notification whose
  // event_key is already queued is not queued again. NOT_FOUND when the
  // run is gone (its schedule was deleted).
  absl::Status JudgeRun(absl::string_view schedule_id, int64_t seq,
                        absl::string_view verdict,
                        absl::string_view verdict_detail,
                        const std::vector<NewNotification>& notifications);

 private:
  // The schedule as stored; NOT_FOUND. Inside a transaction.
  absl::StatusOr<StoredSchedule> ReadSchedule(absl::string_view schedule_id);
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_SCHEDULE_STORE_H_
