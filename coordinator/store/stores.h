// The coordinator's persistent state: experiments, their configurations,
// trials and attempts, raw and merged results, the event log, and workers,
// in one SQLite file in WAL mode. Every mutating call is one transaction
// (BEGIN IMMEDIATE ... COMMIT): it happens entirely or not at all, so the
// coordinator can be killed at any instant and resume from the file. Every
// state transition appends an ExperimentEvent, numbered per experiment from
// 1 without gaps, in the same transaction.
//
// Thread-safe: calls are serialized on one connection.
#ifndef SCALEBENCH_COORDINATOR_STORE_STORES_H_
#define SCALEBENCH_COORDINATOR_STORE_STORES_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "api/resource_names.h"
#include "common/clock.h"
#include "coordinator/store/sqlite.h"
#include "coordinator/store/store_file.h"
#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/coordinator.pb.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::coordinator {

// The schema version this build writes; a file at a higher version was
// written by a newer coordinator.
inline constexpr int kSchemaVersion = 4;
// ListExperiments' page size when 0 is asked for, and its cap.
inline constexpr uint32_t kDefaultPageSize = 50;
inline constexpr uint32_t kMaxPageSize = 500;
// ListTrialsPage's page size when 0 is asked for, and its cap.
inline constexpr uint32_t kDefaultTrialPageSize = 1000;
inline constexpr uint32_t kMaxTrialPageSize = 1000;
// A page of experiments or of trials ends early once it holds about this
// many serialized bytes (it always holds one), so that a response stays
// well within gRPC's 4 MiB messages.
inline constexpr size_t kMaxPageBytes = 1 << 20;
// How long a call waits for another process holding the file's write lock
// before failing with UNAVAILABLE.
inline constexpr absl::Duration kBusyTimeout = absl::Seconds(5);

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
};

// A run whose experiment has ended and has no verdict yet.
struct UnjudgedRun {
  std::string schedule_id;
  int64_t seq = 0;
  v1::ScheduleRun run;
};

// A notification to deliver, as kept in the outbox.
struct OutboxEntry {
  int64_t id = 0;
  // Unique per event; sent as the Idempotency-Key header.
  std::string event_key;
  std::string schedule_id;
  std::string url;
  // The JSON body.
  std::string payload;
  // Deliveries tried so far.
  int attempts = 0;
};

// A notification to add to the outbox.
struct NewNotification {
  std::string event_key;
  std::string url;
  std::string payload;
};

// How many experiments and trials are in each state, and how many
// attempts failed of each kind, for the metrics endpoint. States and kinds
// with no row are absent.
struct StoreCounts {
  absl::flat_hash_map<v1::ExperimentState, int64_t> experiments;
  absl::flat_hash_map<v1::TrialState, int64_t> trials;
  absl::flat_hash_map<v1::FailureKind, int64_t> failed_attempts;
};

// One page of ListExperiments.
struct ExperimentPage {
  // Newest first.
  std::vector<v1::Experiment> experiments;
  // Empty on the last page.
  std::string next_page_token;
};

// One page of an experiment's trials.
struct TrialPage {
  // In number order, each with its attempts.
  std::vector<v1::Trial> trials;
  // Empty on the last page.
  std::string next_page_token;
};

class Store final {
 public:
  // Opens (creating if missing) the store at `path`, turns on WAL mode,
  // synchronous=FULL and foreign keys, and migrates the schema to
  // kSchemaVersion, each migration step in its own transaction. Holds an
  // exclusive lock on "`path`.lock" while open, so that no other store
  // (another coordinator) opens the file meanwhile, and keeps the file
  // and its -wal and -shm files readable by their owner only (mode 0600;
  // see store_file.h). Times come from `clock`'s wall time; `clock` must
  // outlive the store. Errors, each naming the file: UNAVAILABLE (the
  // file cannot be opened or is locked, "another coordinator (pid N)
  // holds PATH"), FAILED_PRECONDITION (the file's schema is newer than
  // this build knows, WAL mode cannot be turned on, or the file's mode
  // cannot be set), INTERNAL.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                     Clock* clock);

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  // The file's schema version after Open: kSchemaVersion.
  int schema_version();

  // Stores a new experiment in state PENDING with id "exp-NNNNNN" (the
  // next number, from 1): `spec` as submitted, `spec_source` (its YAML,
  // may be empty), `seed` (the seed actually used to order trials), its
  // grid (spec::ExpandGrid of spec::WithDefaults), and its trials:
  // configurations x repetitions (the fixed count, or an adaptive
  // policy's minimum), numbered from 0 in the order they run — sequential:
  // grid order with repetitions adjacent; randomized: round by round, each
  // round one repetition of every configuration shuffled with `seed`.
  // Appends event 1. Returns the experiment in FULL view.
  //
  // Idempotent on a non-empty `request_id`: a spec equal to the one first
  // stored with it returns that experiment unchanged; a different one is
  // ALREADY_EXISTS. INVALID_ARGUMENT when `spec` is not valid.
  absl::StatusOr<v1::Experiment> CreateExperiment(
      const v1::ExperimentSpec& spec, absl::string_view spec_source,
      absl::string_view request_id, uint64_t seed);

  // One experiment with its progress; BASIC (and UNSPECIFIED) leave out
  // spec_source and configurations. NOT_FOUND.
  absl::StatusOr<v1::Experiment> GetExperiment(absl::string_view experiment_id,
                                               v1::ExperimentView view);

  // Experiments newest first. `page_size` 0 means kDefaultPageSize, and it
  // is capped at kMaxPageSize; a page also ends after kMaxPageBytes.
  // `page_token` is empty or a previous page's next_page_token;
  // INVALID_ARGUMENT otherwise. A non-empty `schedule_id` keeps only the
  // experiments that schedule started.
  absl::StatusOr<ExperimentPage> ListExperiments(
      uint32_t page_size, absl::string_view page_token, v1::ExperimentView view,
      absl::string_view schedule_id = "");

  // The experiment's trials in number order, each with its attempts.
  // NOT_FOUND when the experiment is unknown.
  absl::StatusOr<std::vector<v1::Trial>> ListTrials(
      absl::string_view experiment_id);

  // One page of the experiment's trials in number order, each with its
  // attempts: at most `page_size` (0 means kDefaultTrialPageSize, capped at
  // kMaxTrialPageSize), ending early after kMaxPageBytes. `page_token` is
  // empty for the first page or a previous page's next_page_token.
  // NOT_FOUND when the experiment is unknown, INVALID_ARGUMENT for a token
  // this store did not issue.
  absl::StatusOr<TrialPage> ListTrialsPage(absl::string_view experiment_id,
                                           uint32_t page_size,
                                           absl::string_view page_token);

  // One trial with its attempts. INVALID_ARGUMENT (the name), NOT_FOUND.
  absl::StatusOr<v1::Trial> GetTrial(absl::string_view trial_name);

  // Starts the next attempt of a trial (number 1 + the attempts so far) on
  // `placement` (role to worker name), sets the trial PREPARING, and the
  // experiment RUNNING with its start time if it was PENDING. Appends an
  // event. Returns the attempt. FAILED_PRECONDITION when the trial has
  // ended, its last attempt is still running, or the experiment has ended.
  absl::StatusOr<v1::Attempt> StartAttempt(
      absl::string_view trial_name,
      const google::protobuf::Map<std::string, std::string>& placement);

  // Moves a trial to `state` and appends an event saying `message` (with
  // the trial's merged result when `state` is SUCCEEDED and one is
  // stored). Setting the state it already has is OK and appends nothing.
  // FAILED_PRECONDITION when the trial has ended (SUCCEEDED, FAILED,
  // CANCELLED); INVALID_ARGUMENT for UNSPECIFIED.
  absl::Status SetTrialState(absl::string_view trial_name, v1::TrialState state,
                             absl::string_view message);

  // Ends an attempt: now as its end time, and `failure` (none on success).
  // Appends an event. Idempotent: finishing an attempt that has ended
  // returns OK and changes nothing. NOT_FOUND.
  absl::Status FinishAttempt(const v1::AttemptKey& key,
                             const std::optional<v1::Failure>& failure);

  // Ends attempt `key` and moves its trial on, in one transaction: stores
  // `result` (may be null) as the trial's merged result, ends the attempt
  // with `failure` (none on success), and sets the trial to `next_state`
  // (SUCCEEDED, or after a failure QUEUED for a retry, FAILED or
  // CANCELLED) with `message`. A crash leaves either all of it or none.
  // Idempotent: an attempt that has ended changes nothing and returns OK.
  // INVALID_ARGUMENT when SUCCEEDED does not come with a result and no
  // failure (or the other way round), or the result is another attempt's;
  // NOT_FOUND; FAILED_PRECONDITION when the trial has ended.
  absl::Status EndAttempt(const v1::AttemptKey& key,
                          const std::optional<v1::Failure>& failure,
                          const v1::TrialResult* result,
                          v1::TrialState next_state, absl::string_view message);

  // Stores one worker's raw result for an attempt. Returns true when it is
  // new, false when a result of that worker for that attempt is already
  // stored (delivery is at-least-once): the stored one is kept, never
  // overwritten. NOT_FOUND when the attempt is unknown; PERMISSION_DENIED
  // when the attempt's placement gives the result's worker no role (only a
  // worker placed on an attempt may report for it, so one worker cannot
  // fail another's attempt).
  absl::StatusOr<bool> StoreWorkerResult(const v1::WorkerResult& result);

  // StoreWorkerResult for each of `results` in one transaction (one
  // synchronous commit for many: see WorkerRegistry's group commit). The
  // outcome of results[i] is element i: as StoreWorkerResult's, with
  // INVALID_ARGUMENT (a malformed key or worker id), NOT_FOUND and
  // PERMISSION_DENIED (not placed) kept per result (the others are still
  // stored). Any other error fails the whole batch, and nothing of it is
  // stored.
  absl::StatusOr<std::vector<absl::StatusOr<bool>>> StoreWorkerResults(
      const std::vector<v1::WorkerResult>& results);

  // Stores a trial's merged result (one per trial). Storing an identical
  // one again is OK; a different one is ALREADY_EXISTS. NOT_FOUND when the
  // attempt is unknown.
  absl::Status StoreTrialResult(const v1::TrialResult& result);

  // The trial's merged result. NOT_FOUND when none is stored.
  absl::StatusOr<v1::TrialResult> GetTrialResult(absl::string_view trial_name);

  // The raw results stored for an attempt, ordered by worker id.
  absl::StatusOr<std::vector<v1::WorkerResult>> ListWorkerResults(
      const v1::AttemptKey& key);

  // Model fits and the results they are fitted to (store_fits.cc).

  // Replaces the experiment's stored model fits with `fits`, in order, in
  // one transaction. Replacing with an empty list removes them. NOT_FOUND
  // when the experiment is unknown.
  absl::Status ReplaceFits(absl::string_view experiment_id,
                           const std::vector<v1::ModelFit>& fits);

  // The experiment's stored fits, in the order stored; empty when none
  // are. NOT_FOUND when the experiment is unknown.
  absl::StatusOr<std::vector<v1::ModelFit>> ListFits(
      absl::string_view experiment_id);

  // Every merged result stored for the experiment, in trial order (only
  // trials that have one). NOT_FOUND when the experiment is unknown.
  absl::StatusOr<std::vector<v1::TrialResult>> ListTrialResults(
      absl::string_view experiment_id);

  // Moves an experiment to `state` with `status_message`; RUNNING sets the
  // start time if unset, SUCCEEDED, FAILED and CANCELLED the end time.
  // Appends an event. Setting the state it already has is OK and appends
  // nothing. FAILED_PRECONDITION when the experiment has ended;
  // INVALID_ARGUMENT for UNSPECIFIED; NOT_FOUND.
  absl::Status SetExperimentState(absl::string_view experiment_id,
                                  v1::ExperimentState state,
                                  absl::string_view status_message);

  // The experiment's events with a sequence greater than `after_sequence`,
  // in order. NOT_FOUND when the experiment is unknown.
  absl::StatusOr<std::vector<v1::ExperimentEvent>> Events(
      absl::string_view experiment_id, uint64_t after_sequence);

  // For the scheduler (store_scheduling.cc).

  // The ids of experiments not yet ended (PENDING, RUNNING, CANCELLING),
  // oldest first.
  absl::StatusOr<std::vector<std::string>> ListActiveExperimentIds();

  // Records what the experiment's next trial waits for ("no worker
  // offers platform xen ..."), or that it waits for nothing (empty), in
  // Experiment.waiting_for. A new non-empty reason appends an event saying
  // it; the same reason again, or clearing, appends none. OK and nothing
  // changed when the experiment has ended. NOT_FOUND.
  absl::Status SetExperimentWaiting(absl::string_view experiment_id,
                                    absl::string_view reason);

  // Ends every QUEUED trial of the experiment that has no running attempt
  // with `trial_state` (CANCELLED or FAILED), then, when `then_experiment`
  // is set and none of its attempts is still running, the experiment with
  // that state and `message`: one transaction and at most two events
  // however many trials there are. Returns how many trials it ended.
  // FAILED_PRECONDITION when the experiment has ended; INVALID_ARGUMENT
  // for a state that is not an end; NOT_FOUND.
  absl::StatusOr<uint32_t> EndQueuedTrials(
      absl::string_view experiment_id, v1::TrialState trial_state,
      std::optional<v1::ExperimentState> then_experiment,
      absl::string_view message);

  // Appends one QUEUED trial for each entry of `configuration_indexes` (an
  // adaptive policy's next round), numbered after the last trial, each the
  // next repetition of its configuration, and appends an event saying
  // `message`. Returns the new trials. FAILED_PRECONDITION when the
  // experiment has ended or is cancelling; INVALID_ARGUMENT for an index
  // the experiment does not have; NOT_FOUND.
  absl::StatusOr<std::vector<v1::Trial>> AddTrials(
      absl::string_view experiment_id,
      const std::vector<uint32_t>& configuration_indexes,
      absl::string_view message);

  // Records that worker `worker_id` synchronized at `now` in `session`
  // with `facts`. A new worker, or a lost one coming back, is IDLE; a busy
  // one stays busy. INVALID_ARGUMENT for a bad id.
  absl::Status UpsertWorker(absl::string_view worker_id,
                            absl::string_view session,
                            const v1::HostFacts& facts, absl::Time now);

  // Sets a known worker's status. NOT_FOUND.
  absl::Status SetWorkerStatus(absl::string_view worker_id,
                               v1::WorkerStatus status);

  // Every known worker, ordered by name.
  absl::StatusOr<std::vector<v1::Worker>> ListWorkers();

  // Schedules, their runs, and the notification outbox
  // (store_schedules.cc). Callers validate schedules (schedule_rules.h).

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
  // NOT_FOUND.
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

  // Undelivered notifications due at `now` (next attempt time reached),
  // oldest first, at most `limit`.
  absl::StatusOr<std::vector<OutboxEntry>> DueNotifications(absl::Time now,
                                                            int limit);

  // Marks a notification delivered; it is never sent again. Idempotent.
  absl::Status MarkNotificationSent(int64_t id);

  // Records a failed delivery (`error`) and when to try again.
  absl::Status DeferNotification(int64_t id, absl::string_view error,
                                 absl::Time next_attempt_time);

  // Notifications not yet delivered, for status and metrics.
  absl::StatusOr<int64_t> CountUndeliveredNotifications();

  // Experiments and trials by state, and failed attempts by kind, from
  // one snapshot: two GROUP BY counts and a read of the failed attempts'
  // failures (cheap: attempts fail rarely). Errors are SQLite's (INTERNAL,
  // UNAVAILABLE) or INTERNAL for a failure that does not parse.
  absl::StatusOr<StoreCounts> CountStates();

  // For tests: runs `body` on the store's connection inside a write
  // transaction, as every mutating call does.
  absl::Status TEST_InTransaction(
      absl::FunctionRef<absl::Status(Database& db)> body);

 private:
  Store(std::unique_ptr<Database> db, Clock* clock)
      : db_(std::move(db)), clock_(clock) {}

  absl::Status Configure();
  absl::Status Migrate();
  // Runs `body` in BEGIN IMMEDIATE ... COMMIT; rolls back on any error,
  // and on any exception `body` throws, which becomes RESOURCE_EXHAUSTED
  // (std::bad_alloc) or INTERNAL: no exception leaves the store, and no
  // transaction stays open.
  absl::Status InTransaction(absl::FunctionRef<absl::Status()> body)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs `body` in a read transaction (one consistent snapshot); ended on
  // an exception as InTransaction's.
  absl::Status InReadTransaction(absl::FunctionRef<absl::Status()> body)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The body of CreateExperiment inside a transaction: returns the new
  // experiment's id (or the one `request_id` already made). A non-empty
  // `schedule_id` records the schedule and `night` (default now).
  absl::StatusOr<std::string> CreateExperimentLocked(
      const v1::ExperimentSpec& spec, absl::string_view spec_source,
      absl::string_view request_id, uint64_t seed,
      absl::string_view schedule_id, std::optional<absl::Time> night)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<StoredSchedule> ReadSchedule(absl::string_view schedule_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // SetExperimentState's body, inside a transaction.
  absl::Status SetExperimentStateLocked(absl::string_view experiment_id,
                                        v1::ExperimentState state,
                                        absl::string_view status_message)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Helpers run inside a transaction or a locked read.
  absl::StatusOr<v1::Experiment> ReadExperiment(absl::string_view id,
                                                v1::ExperimentView view)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ReadProgress(absl::string_view id, v1::Experiment::Progress* p)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<v1::Trial> ReadTrial(absl::string_view experiment_id,
                                      uint32_t number)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ReadAttempts(absl::string_view experiment_id, uint32_t number,
                            v1::Trial* trial)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Up to `limit` trials of the experiment from number `first` on, with
  // their attempts, in number order; `next` is the number of the trial
  // after them, or -1 when none follows.
  absl::StatusOr<std::vector<v1::Trial>> ReadTrials(
      absl::string_view experiment_id, int64_t first, int64_t limit,
      int64_t* next) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Appends the next event of `experiment_id`: the experiment (BASIC) as it
  // is now, `trial` if given, `result` if given, and `message`.
  absl::Status AppendEvent(absl::string_view experiment_id,
                           const v1::Trial* trial,
                           const v1::TrialResult* result,
                           absl::string_view message)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The bodies of SetTrialState, FinishAttempt and StoreTrialResult, for
  // use inside a transaction.
  absl::Status SetTrialStateLocked(const api::TrialRef& ref,
                                   v1::TrialState state,
                                   absl::string_view message)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status FinishAttemptLocked(const api::TrialRef& ref,
                                   const v1::AttemptKey& key,
                                   const std::optional<v1::Failure>& failure)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status StoreTrialResultLocked(const api::TrialRef& ref,
                                      const v1::TrialResult& result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t NowMicros() const;

  // Holds mu_ for one method. Workers' Synchronize calls are waiting on
  // the store (UpsertWorker, StoreWorkerResults): they lock as urgent, and
  // other methods (the scheduler's passes, the CLI's reads) let a waiting
  // urgent one go first, so a pass of many commits does not starve them.
  class ABSL_SCOPED_LOCKABLE StoreLock {
   public:
    StoreLock(Store* store, bool urgent = false)
        ABSL_EXCLUSIVE_LOCK_FUNCTION(store->mu_);
    ~StoreLock() ABSL_UNLOCK_FUNCTION();

   private:
    Store* const store_;
  };

  absl::Mutex mu_;
  std::atomic<int> urgent_waiting_{0};
  // Released after db_ is closed (members are destroyed in reverse).
  std::unique_ptr<StoreFileLock> lock_file_;
  std::unique_ptr<Database> db_ ABSL_GUARDED_BY(mu_);
  Clock* const clock_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_STORES_H_
