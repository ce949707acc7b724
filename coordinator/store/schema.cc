#include "coordinator/store/schema.h"

namespace scalebench::coordinator {
namespace {

// Times are microseconds since the Unix epoch; blobs are serialized
// scalebench.v1 messages; states are the proto enum numbers.
constexpr const char* kMigrations[] = {
    // 0 -> 1: the initial schema.
    R"sql(
CREATE TABLE experiments (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  spec BLOB NOT NULL,
  spec_source TEXT NOT NULL,
  state INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  create_time INTEGER NOT NULL,
  start_time INTEGER,
  end_time INTEGER,
  request_id TEXT UNIQUE,
  status_message TEXT NOT NULL DEFAULT ''
);
CREATE TABLE configurations (
  experiment TEXT NOT NULL REFERENCES experiments(id),
  idx INTEGER NOT NULL,
  configuration BLOB NOT NULL,
  PRIMARY KEY (experiment, idx)
) WITHOUT ROWID;
CREATE TABLE trials (
  experiment TEXT NOT NULL REFERENCES experiments(id),
  number INTEGER NOT NULL,
  configuration_index INTEGER NOT NULL,
  repetition INTEGER NOT NULL,
  state INTEGER NOT NULL,
  PRIMARY KEY (experiment, number),
  FOREIGN KEY (experiment, configuration_index)
    REFERENCES configurations(experiment, idx)
) WITHOUT ROWID;
CREATE TABLE attempts (
  experiment TEXT NOT NULL,
  trial INTEGER NOT NULL,
  number INTEGER NOT NULL,
  placement BLOB NOT NULL,
  start_time INTEGER NOT NULL,
  end_time INTEGER,
  failure BLOB,
  PRIMARY KEY (experiment, trial, number),
  FOREIGN KEY (experiment, trial) REFERENCES trials(experiment, number)
) WITHOUT ROWID;
CREATE TABLE worker_results (
  experiment TEXT NOT NULL,
  trial INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  worker TEXT NOT NULL,
  result BLOB NOT NULL,
  PRIMARY KEY (experiment, trial, attempt, worker),
  FOREIGN KEY (experiment, trial, attempt)
    REFERENCES attempts(experiment, trial, number)
) WITHOUT ROWID;
CREATE TABLE trial_results (
  experiment TEXT NOT NULL,
  trial INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  result BLOB NOT NULL,
  PRIMARY KEY (experiment, trial),
  FOREIGN KEY (experiment, trial, attempt)
    REFERENCES attempts(experiment, trial, number)
) WITHOUT ROWID;
CREATE TABLE events (
  experiment TEXT NOT NULL REFERENCES experiments(id),
  sequence INTEGER NOT NULL CHECK (sequence >= 1),
  time INTEGER NOT NULL,
  event BLOB NOT NULL,
  PRIMARY KEY (experiment, sequence)
) WITHOUT ROWID;
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  session TEXT NOT NULL,
  facts BLOB NOT NULL,
  last_seen INTEGER NOT NULL,
  status INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 1 -> 2: the model fits of an experiment, in the order of its spec's
    // models (one spec model may yield several fits, one per group).
    R"sql(
CREATE TABLE fits (
  experiment TEXT NOT NULL REFERENCES experiments(id),
  idx INTEGER NOT NULL,
  fit BLOB NOT NULL,
  PRIMARY KEY (experiment, idx)
) WITHOUT ROWID;
)sql",
    // 2 -> 3: nightly sweeps. Schedules (the v1::Schedule as given, with
    // the firing last acted on), what each firing did, which experiments
    // a schedule started and for which night, and the outbox of
    // notifications: each event once (event_key), kept until a webhook
    // accepted it.
    R"sql(
ALTER TABLE experiments ADD COLUMN schedule TEXT;
ALTER TABLE experiments ADD COLUMN night INTEGER;
CREATE INDEX experiments_by_schedule ON experiments (schedule, night);
CREATE TABLE schedules (
  id TEXT PRIMARY KEY,
  schedule BLOB NOT NULL,
  paused INTEGER NOT NULL,
  last_fire_time INTEGER NOT NULL,
  create_time INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE schedule_runs (
  schedule TEXT NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  night INTEGER NOT NULL,
  experiment TEXT REFERENCES experiments(id),
  judged INTEGER NOT NULL DEFAULT 0,
  run BLOB NOT NULL,
  PRIMARY KEY (schedule, seq)
) WITHOUT ROWID;
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  event_key TEXT NOT NULL UNIQUE,
  schedule TEXT NOT NULL,
  url TEXT NOT NULL,
  payload TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_time INTEGER NOT NULL,
  sent_time INTEGER,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notifications_due ON notifications (sent_time, next_attempt_time);
)sql",
    // 3 -> 4: what a pending or running experiment waits for, when no
    // live worker could run its next trial (Experiment.waiting_for).
    R"sql(
ALTER TABLE experiments ADD COLUMN waiting_for TEXT NOT NULL DEFAULT '';
)sql",
    // 4 -> 5: the request_id of a run asked for by hand (RunSchedule), so
    // that a retried call returns the run the first one started.
    R"sql(
ALTER TABLE schedule_runs ADD COLUMN request_id TEXT;
CREATE UNIQUE INDEX schedule_runs_by_request_id ON schedule_runs (request_id);
)sql",
};

}  // namespace

absl::Span<const char* const> Migrations() { return kMigrations; }

}  // namespace scalebench::coordinator
