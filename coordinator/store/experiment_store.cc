#include "coordinator/store/stores.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <new>
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
#include "coordinator/store/schema.h"
#include "coordinator/store/store_file.h"
#include "coordinator/store/store_rows.h"
#include "coordinator/trials/trial_order.h"
#include "spec/defaults.h"
#include "spec/grid.h"
#include "spec/validate.h"

namespace scalebench::coordinator {

using internal::ExperimentEnded;
using internal::MicrosToProto;
using internal::Parse;
using internal::Serialize;
using internal::TrialEnded;

namespace {

// The attempt in columns first.. first + 4 of `stmt`: number, placement,
// start_time, end_time, failure.
absl::StatusOr<v1::Attempt> AttemptFromRow(Statement& stmt, int first) {
  ASSIGN_OR_RETURN(
      v1::Attempt attempt,
      internal::Parse<v1::Attempt>(stmt.ColumnBlob(first + 1), "placement"));
  attempt.set_number(static_cast<uint32_t>(stmt.ColumnInt(first)));
  *attempt.mutable_start_time() =
      internal::MicrosToProto(stmt.ColumnInt(first + 2));
  if (!stmt.ColumnIsNull(first + 3)) {
    *attempt.mutable_end_time() =
        internal::MicrosToProto(stmt.ColumnInt(first + 3));
  }
  if (!stmt.ColumnIsNull(first + 4)) {
    ASSIGN_OR_RETURN(
        *attempt.mutable_failure(),
        internal::Parse<v1::Failure>(stmt.ColumnBlob(first + 4), "failure"));
  }
  return attempt;
}

constexpr char kExperimentIdPrefix[] = "exp-";
constexpr char kPageTokenPrefix[] = "p";
// A trial page's token: the number of its first trial.
constexpr char kTrialPageTokenPrefix[] = "t";

absl::StatusOr<std::string> ParsePageToken(absl::string_view token) {
  int64_t seq = 0;
  if (!absl::ConsumePrefix(&token, kPageTokenPrefix) ||
      !absl::SimpleAtoi(token, &seq) || seq <= 0) {
    return absl::InvalidArgumentError("page_token: not issued by this store");
  }
  return std::string(token);
}

// `body()`, with an exception it throws turned into a status, so that the
// transaction around it is always ended: an exception that left it open
// would make every later BEGIN fail ("cannot start a transaction within a
// transaction") for as long as the process lives.
absl::Status RunCatching(absl::FunctionRef<absl::Status()> body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        "store: out of memory; the transaction was rolled back");
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("store: ", e.what(), "; the transaction was rolled back"));
  } catch (...) {
    return absl::InternalError(
        "store: an unknown exception; the transaction was rolled back");
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   Clock* clock) {
  // First the lock: a second coordinator must not touch the file at all.
  ASSIGN_OR_RETURN(std::unique_ptr<StoreFileLock> lock,
                   StoreFileLock::Acquire(path));
  RETURN_IF_ERROR(MakeStoreFilesPrivate(path));
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(path));
  std::unique_ptr<Store> store(new Store(std::move(db), clock));
  store->lock_file_ = std::move(lock);
  RETURN_IF_ERROR(store->Configure());
  RETURN_IF_ERROR(store->Migrate());
  return store;
}

Store::~Store() = default;

absl::Status Store::Configure() {
  StoreLock lock(this);
  RETURN_IF_ERROR(db_->Exec(absl::StrCat(
      "PRAGMA busy_timeout = ", absl::ToInt64Milliseconds(kBusyTimeout))));
  ASSIGN_OR_RETURN(Statement wal, db_->Prepare("PRAGMA journal_mode = WAL"));
  ASSIGN_OR_RETURN(bool row, wal.Step());
  if (!row || wal.ColumnText(0) != "wal") {
    return absl::FailedPreconditionError(
        absl::StrCat("store ", db_->path(),
                     ": cannot turn on WAL mode (is the file on a network "
                     "filesystem?)"));
  }
  RETURN_IF_ERROR(db_->Exec("PRAGMA synchronous = FULL"));
  return db_->Exec("PRAGMA foreign_keys = ON");
}

int Store::schema_version() {
  StoreLock lock(this);
  absl::StatusOr<Statement> stmt = db_->Prepare("PRAGMA user_version");
  if (!stmt.ok()) return -1;
  absl::StatusOr<bool> row = stmt->Step();
  return row.ok() && *row ? static_cast<int>(stmt->ColumnInt(0)) : -1;
}

absl::Status Store::Migrate() {
  StoreLock lock(this);
  absl::Span<const char* const> migrations = Migrations();
  while (true) {
    int64_t version = 0;
    bool done = false;
    RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
      ASSIGN_OR_RETURN(Statement stmt, db_->Prepare("PRAGMA user_version"));
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      version = row ? stmt.ColumnInt(0) : 0;
      if (version > static_cast<int64_t>(migrations.size())) {
        return absl::FailedPreconditionError(absl::StrFormat(
            "store %s: the file's schema version %d is newer than this "
            "coordinator's %d; use a newer coordinator",
            db_->path(), version, migrations.size()));
      }
      if (version == static_cast<int64_t>(migrations.size())) {
        done = true;
        return absl::OkStatus();
      }
      RETURN_IF_ERROR(db_->Exec(migrations[version]));
      return db_->Exec(absl::StrCat("PRAGMA user_version = ", version + 1));
    }));
    if (done) return absl::OkStatus();
  }
}

Store::StoreLock::StoreLock(Store* store, bool urgent) : store_(store) {
  if (urgent) {
    store->urgent_waiting_.fetch_add(1);
    store->mu_.Lock();
    store->urgent_waiting_.fetch_sub(1);
    return;
  }
  // Re-evaluated whenever mu_ is released: an urgent caller that began
  // waiting before then goes first.
  store->mu_.LockWhen(absl::Condition(
      +[](std::atomic<int>* urgent) { return urgent->load() == 0; },
      &store->urgent_waiting_));
}

Store::StoreLock::~StoreLock() { store_->mu_.Unlock(); }

absl::Status Store::InTransaction(absl::FunctionRef<absl::Status()> body) {
  RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  absl::Status status = RunCatching(body);
  if (status.ok()) status = db_->Exec("COMMIT");
  if (!status.ok()) db_->Exec("ROLLBACK").IgnoreError();
  return status;
}

absl::Status Store::TEST_InTransaction(
    absl::FunctionRef<absl::Status(Database& db)> body) {
  StoreLock lock(this);
  return InTransaction([&] { return body(*db_); });
}

int64_t Store::NowMicros() const { return absl::ToUnixMicros(clock_->Wall()); }

absl::StatusOr<v1::Experiment> Store::CreateExperiment(
    const v1::ExperimentSpec& spec, absl::string_view spec_source,
    absl::string_view request_id, uint64_t seed) {
  RETURN_IF_ERROR(spec::ValidateSpec(spec));
  StoreLock lock(this);
  std::string id;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(id, CreateExperimentLocked(spec, spec_source, request_id,
                                                seed, /*schedule_id=*/"",
                                                /*night=*/std::nullopt));
    return absl::OkStatus();
  }));
  return ReadExperiment(id, v1::EXPERIMENT_VIEW_FULL);
}

absl::StatusOr<std::string> Store::CreateExperimentLocked(
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
  const int64_t now = NowMicros();

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

absl::Status Store::InReadTransaction(absl::FunctionRef<absl::Status()> body) {
  RETURN_IF_ERROR(db_->Exec("BEGIN"));
  absl::Status status = RunCatching(body);
  db_->Exec(status.ok() ? "COMMIT" : "ROLLBACK").IgnoreError();
  return status;
}

absl::Status Store::ReadProgress(absl::string_view id,
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

absl::StatusOr<v1::Experiment> Store::ReadExperiment(absl::string_view id,
                                                     v1::ExperimentView view) {
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

absl::Status Store::ReadAttempts(absl::string_view experiment_id,
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
    ASSIGN_OR_RETURN(*trial->add_attempts(), AttemptFromRow(stmt, 0));
  }
}

absl::StatusOr<v1::Trial> Store::ReadTrial(absl::string_view experiment_id,
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

absl::Status Store::AppendEvent(absl::string_view experiment_id,
                                const v1::Trial* trial,
                                const v1::TrialResult* result,
                                absl::string_view message) {
  ASSIGN_OR_RETURN(Statement next,
                   db_->Prepare("SELECT COALESCE(MAX(sequence), 0) + 1 FROM "
                                "events WHERE experiment = ?"));
  next.Bind(1, experiment_id);
  ASSIGN_OR_RETURN(bool row, next.Step());
  const int64_t sequence = row ? next.ColumnInt(0) : 1;
  const int64_t now = NowMicros();

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

absl::StatusOr<v1::Experiment> Store::GetExperiment(
    absl::string_view experiment_id, v1::ExperimentView view) {
  StoreLock lock(this);
  v1::Experiment experiment;
  RETURN_IF_ERROR(InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(experiment, ReadExperiment(experiment_id, view));
    return absl::OkStatus();
  }));
  return experiment;
}

absl::StatusOr<ExperimentPage> Store::ListExperiments(
    uint32_t page_size, absl::string_view page_token, v1::ExperimentView view,
    absl::string_view schedule_id) {
  if (page_size == 0) page_size = kDefaultPageSize;
  if (page_size > kMaxPageSize) page_size = kMaxPageSize;
  int64_t before = std::numeric_limits<int64_t>::max();
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(std::string seq, ParsePageToken(page_token));
    if (!absl::SimpleAtoi(seq, &before)) {
      return absl::InvalidArgumentError("page_token: not issued by this store");
    }
  }
  StoreLock lock(this);
  ExperimentPage page;
  RETURN_IF_ERROR(InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT seq, id FROM experiments WHERE seq < "
                                  "? AND (? = '' OR schedule = ?) ORDER BY "
                                  "seq DESC LIMIT ?"));
    // One more than asked, to know whether another page follows.
    stmt.Bind(1, before)
        .Bind(2, schedule_id)
        .Bind(3, schedule_id)
        .Bind(4, static_cast<int64_t>(page_size) + 1);
    std::vector<std::pair<int64_t, std::string>> rows;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      rows.emplace_back(stmt.ColumnInt(0), stmt.ColumnText(1));
    }
    if (rows.size() > page_size) {
      rows.pop_back();
      page.next_page_token = absl::StrCat(kPageTokenPrefix, rows.back().first);
    }
    size_t bytes = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      ASSIGN_OR_RETURN(v1::Experiment experiment,
                       ReadExperiment(rows[i].second, view));
      bytes += experiment.ByteSizeLong();
      if (i > 0 && bytes > kMaxPageBytes) {
        // The next page starts with this one.
        page.next_page_token =
            absl::StrCat(kPageTokenPrefix, rows[i - 1].first);
        break;
      }
      page.experiments.push_back(std::move(experiment));
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<std::vector<v1::Trial>> Store::ReadTrials(
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
                     AttemptFromRow(attempts, 1));
  }
}

absl::StatusOr<std::vector<v1::Trial>> Store::ListTrials(
    absl::string_view experiment_id) {
  StoreLock lock(this);
  std::vector<v1::Trial> trials;
  // Two queries for the whole experiment, not two per trial: the scheduler
  // lists an experiment's trials on every pass, with the store locked.
  RETURN_IF_ERROR(InReadTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC).status());
    int64_t next = -1;
    ASSIGN_OR_RETURN(
        trials, ReadTrials(experiment_id, 0,
                           std::numeric_limits<int64_t>::max() - 1, &next));
    return absl::OkStatus();
  }));
  return trials;
}

absl::StatusOr<TrialPage> Store::ListTrialsPage(absl::string_view experiment_id,
                                                uint32_t page_size,
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
  StoreLock lock(this);
  TrialPage page;
  RETURN_IF_ERROR(InReadTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC).status());
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

absl::StatusOr<v1::Trial> Store::GetTrial(absl::string_view trial_name) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(trial_name));
  StoreLock lock(this);
  v1::Trial trial;
  RETURN_IF_ERROR(InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(trial, ReadTrial(ref.experiment_id, ref.trial));
    return absl::OkStatus();
  }));
  return trial;
}

absl::Status Store::SetExperimentState(absl::string_view experiment_id,
                                       v1::ExperimentState state,
                                       absl::string_view status_message) {
  if (state == v1::EXPERIMENT_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError("experiment state: unspecified");
  }
  StoreLock lock(this);
  return InTransaction([&]() -> absl::Status {
    return SetExperimentStateLocked(experiment_id, state, status_message);
  });
}

absl::Status Store::SetExperimentStateLocked(absl::string_view experiment_id,
                                             v1::ExperimentState state,
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
    const int64_t now = NowMicros();
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

absl::StatusOr<std::vector<v1::ExperimentEvent>> Store::Events(
    absl::string_view experiment_id, uint64_t after_sequence) {
  StoreLock lock(this);
  std::vector<v1::ExperimentEvent> events;
  RETURN_IF_ERROR(InReadTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC).status());
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT event FROM events WHERE experiment "
                                  "= ? AND sequence > ? ORDER BY sequence"));
    stmt.Bind(1, experiment_id)
        .Bind(2, static_cast<int64_t>(
                     std::min<uint64_t>(after_sequence, INT64_MAX)));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return absl::OkStatus();
      ASSIGN_OR_RETURN(v1::ExperimentEvent event,
                       Parse<v1::ExperimentEvent>(stmt.ColumnBlob(0), "event"));
      events.push_back(std::move(event));
    }
  }));
  return events;
}

}  // namespace scalebench::coordinator
