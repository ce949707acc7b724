#include "coordinator/store.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "api/resource_names.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/schema.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "spec/defaults.h"
#include "spec/grid.h"
#include "spec/validate.h"

namespace scalebench::coordinator {
namespace {

constexpr char kExperimentIdPrefix[] = "exp-";
constexpr char kPageTokenPrefix[] = "p";
// Mixes the round number into the seed of each round's shuffle.
constexpr uint64_t kRoundSeedStride = 0x9E3779B97F4A7C15ull;

// Deterministic bytes, so equal messages serialize equally (maps sorted).
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

template <typename T>
absl::StatusOr<T> Parse(const std::string& blob, absl::string_view what) {
  T message;
  if (!message.ParseFromString(blob)) {
    return absl::DataLossError(absl::StrCat("store: unreadable ", what));
  }
  return message;
}

// Times are stored as microseconds since the Unix epoch.
google::protobuf::Timestamp MicrosToProto(int64_t micros) {
  return TimeToProto(absl::FromUnixMicros(micros));
}

bool TrialEnded(v1::TrialState state) {
  return state == v1::TRIAL_STATE_SUCCEEDED ||
         state == v1::TRIAL_STATE_FAILED || state == v1::TRIAL_STATE_CANCELLED;
}

bool ExperimentEnded(v1::ExperimentState state) {
  return state == v1::EXPERIMENT_STATE_SUCCEEDED ||
         state == v1::EXPERIMENT_STATE_FAILED ||
         state == v1::EXPERIMENT_STATE_CANCELLED;
}

// A uniform integer in [0, n), n > 0, from the fully specified
// mt19937_64 stream (std::uniform_int_distribution and std::shuffle differ
// between standard libraries; trial order must not).
uint64_t UniformBelow(std::mt19937_64& rng, uint64_t n) {
  const uint64_t limit = std::numeric_limits<uint64_t>::max() -
                         std::numeric_limits<uint64_t>::max() % n;
  uint64_t x;
  do {
    x = rng();
  } while (x >= limit);
  return x % n;
}

struct TrialPlan {
  uint32_t configuration_index;
  uint32_t repetition;
};

// Trials in the order they run; their position is their number.
std::vector<TrialPlan> PlanTrials(uint32_t configurations, uint32_t repetitions,
                                  v1::TrialOrder order, uint64_t seed) {
  std::vector<TrialPlan> plan;
  plan.reserve(static_cast<size_t>(configurations) * repetitions);
  if (order == v1::TRIAL_ORDER_SEQUENTIAL) {
    for (uint32_t c = 0; c < configurations; ++c) {
      for (uint32_t r = 0; r < repetitions; ++r) plan.push_back({c, r});
    }
    return plan;
  }
  for (uint32_t r = 0; r < repetitions; ++r) {
    std::vector<uint32_t> round(configurations);
    for (uint32_t c = 0; c < configurations; ++c) round[c] = c;
    std::mt19937_64 rng(seed + kRoundSeedStride * r);
    for (uint32_t i = configurations; i > 1; --i) {
      std::swap(round[i - 1], round[UniformBelow(rng, i)]);
    }
    for (uint32_t c : round) plan.push_back({c, r});
  }
  return plan;
}

absl::StatusOr<std::string> ParsePageToken(absl::string_view token) {
  int64_t seq = 0;
  if (!absl::ConsumePrefix(&token, kPageTokenPrefix) ||
      !absl::SimpleAtoi(token, &seq) || seq <= 0) {
    return absl::InvalidArgumentError("page_token: not issued by this store");
  }
  return std::string(token);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   Clock* clock) {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(path));
  std::unique_ptr<Store> store(new Store(std::move(db), clock));
  RETURN_IF_ERROR(store->Configure());
  RETURN_IF_ERROR(store->Migrate());
  return store;
}

Store::~Store() = default;

absl::Status Store::Configure() {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(db_->Exec(absl::StrCat(
      "PRAGMA busy_timeout = ", absl::ToInt64Milliseconds(kBusyTimeout))));
  ASSIGN_OR_RETURN(Statement wal, db_->Prepare("PRAGMA journal_mode = WAL"));
  ASSIGN_OR_RETURN(bool row, wal.Step());
  if (!row || wal.ColumnText(0) != "wal") {
    return absl::FailedPreconditionError(
        "store: cannot turn on WAL mode (is the file on a network "
        "filesystem?)");
  }
  RETURN_IF_ERROR(db_->Exec("PRAGMA synchronous = FULL"));
  return db_->Exec("PRAGMA foreign_keys = ON");
}

int Store::schema_version() {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Statement> stmt = db_->Prepare("PRAGMA user_version");
  if (!stmt.ok()) return -1;
  absl::StatusOr<bool> row = stmt->Step();
  return row.ok() && *row ? static_cast<int>(stmt->ColumnInt(0)) : -1;
}

absl::Status Store::Migrate() {
  absl::MutexLock lock(&mu_);
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
            "store: the file's schema version %d is newer than this "
            "coordinator's %d; use a newer coordinator",
            version, migrations.size()));
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

absl::Status Store::InTransaction(absl::FunctionRef<absl::Status()> body) {
  RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  absl::Status status = body();
  if (status.ok()) status = db_->Exec("COMMIT");
  if (!status.ok()) db_->Exec("ROLLBACK").IgnoreError();
  return status;
}

int64_t Store::NowMicros() const { return absl::ToUnixMicros(clock_->Wall()); }

absl::StatusOr<v1::Experiment> Store::CreateExperiment(
    const v1::ExperimentSpec& spec, absl::string_view spec_source,
    absl::string_view request_id, uint64_t seed) {
  RETURN_IF_ERROR(spec::ValidateSpec(spec));
  const v1::ExperimentSpec full = spec::WithDefaults(spec);
  const std::vector<v1::Configuration> configurations = spec::ExpandGrid(full);
  const uint32_t repetitions = spec::MinRepetitions(full.repetitions());
  const std::string spec_blob = Serialize(spec);

  absl::MutexLock lock(&mu_);
  std::string id;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    if (!request_id.empty()) {
      ASSIGN_OR_RETURN(
          Statement find,
          db_->Prepare(
              "SELECT id, spec FROM experiments WHERE request_id = ?"));
      find.Bind(1, request_id);
      ASSIGN_OR_RETURN(bool found, find.Step());
      if (found) {
        if (find.ColumnBlob(1) != spec_blob) {
          return absl::AlreadyExistsError(absl::StrCat(
              "request_id ", request_id, " was used for experiment ",
              api::ExperimentName(find.ColumnText(0)),
              " with a different spec"));
        }
        id = find.ColumnText(0);
        return absl::OkStatus();
      }
    }
    ASSIGN_OR_RETURN(
        Statement next,
        db_->Prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM experiments"));
    ASSIGN_OR_RETURN(bool row, next.Step());
    const int64_t seq = row ? next.ColumnInt(0) : 1;
    id = absl::StrFormat("%s%06d", kExperimentIdPrefix, seq);
    const int64_t now = NowMicros();

    ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT INTO experiments (seq, id, name, spec, "
                     "spec_source, state, seed, create_time, request_id) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
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

    std::vector<TrialPlan> plan =
        PlanTrials(static_cast<uint32_t>(configurations.size()), repetitions,
                   full.order(), seed);
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
    return AppendEvent(
        id, nullptr, nullptr,
        absl::StrFormat("experiment created: %d configurations x %d "
                        "repetitions = %d trials",
                        configurations.size(), repetitions, plan.size()));
  }));
  return ReadExperiment(id, v1::EXPERIMENT_VIEW_FULL);
}

absl::Status Store::InReadTransaction(absl::FunctionRef<absl::Status()> body) {
  RETURN_IF_ERROR(db_->Exec("BEGIN"));
  absl::Status status = body();
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
    if (!row) return absl::OkStatus();
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
}

absl::StatusOr<v1::Experiment> Store::ReadExperiment(absl::string_view id,
                                                     v1::ExperimentView view) {
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("SELECT spec, spec_source, state, seed, create_time, "
                   "start_time, end_time, status_message FROM experiments "
                   "WHERE id = ?"));
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
    ASSIGN_OR_RETURN(v1::Attempt attempt,
                     Parse<v1::Attempt>(stmt.ColumnBlob(1), "placement"));
    attempt.set_number(static_cast<uint32_t>(stmt.ColumnInt(0)));
    *attempt.mutable_start_time() = MicrosToProto(stmt.ColumnInt(2));
    if (!stmt.ColumnIsNull(3)) {
      *attempt.mutable_end_time() = MicrosToProto(stmt.ColumnInt(3));
    }
    if (!stmt.ColumnIsNull(4)) {
      ASSIGN_OR_RETURN(*attempt.mutable_failure(),
                       Parse<v1::Failure>(stmt.ColumnBlob(4), "failure"));
    }
    *trial->add_attempts() = std::move(attempt);
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
  absl::MutexLock lock(&mu_);
  v1::Experiment experiment;
  RETURN_IF_ERROR(InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(experiment, ReadExperiment(experiment_id, view));
    return absl::OkStatus();
  }));
  return experiment;
}

absl::StatusOr<ExperimentPage> Store::ListExperiments(
    uint32_t page_size, absl::string_view page_token, v1::ExperimentView view) {
  if (page_size == 0) page_size = kDefaultPageSize;
  if (page_size > kMaxPageSize) page_size = kMaxPageSize;
  int64_t before = std::numeric_limits<int64_t>::max();
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(std::string seq, ParsePageToken(page_token));
    if (!absl::SimpleAtoi(seq, &before)) {
      return absl::InvalidArgumentError("page_token: not issued by this store");
    }
  }
  absl::MutexLock lock(&mu_);
  ExperimentPage page;
  RETURN_IF_ERROR(InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT seq, id FROM experiments WHERE seq < "
                                  "? ORDER BY seq DESC LIMIT ?"));
    // One more than asked, to know whether another page follows.
    stmt.Bind(1, before).Bind(2, static_cast<int64_t>(page_size) + 1);
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
    for (const auto& [seq, id] : rows) {
      ASSIGN_OR_RETURN(v1::Experiment experiment, ReadExperiment(id, view));
      page.experiments.push_back(std::move(experiment));
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<std::vector<v1::Trial>> Store::ListTrials(
    absl::string_view experiment_id) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Trial> trials;
  RETURN_IF_ERROR(InReadTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC).status());
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT number FROM trials WHERE experiment "
                                  "= ? ORDER BY number"));
    stmt.Bind(1, experiment_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return absl::OkStatus();
      ASSIGN_OR_RETURN(
          v1::Trial trial,
          ReadTrial(experiment_id, static_cast<uint32_t>(stmt.ColumnInt(0))));
      trials.push_back(std::move(trial));
    }
  }));
  return trials;
}

absl::StatusOr<v1::Trial> Store::GetTrial(absl::string_view trial_name) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(trial_name));
  absl::MutexLock lock(&mu_);
  v1::Trial trial;
  RETURN_IF_ERROR(InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(trial, ReadTrial(ref.experiment_id, ref.trial));
    return absl::OkStatus();
  }));
  return trial;
}

absl::StatusOr<v1::Attempt> Store::StartAttempt(
    absl::string_view trial_name,
    const google::protobuf::Map<std::string, std::string>& placement) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(trial_name));
  absl::MutexLock lock(&mu_);
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
  absl::MutexLock lock(&mu_);
  return InTransaction([&]() -> absl::Status {
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
  });
}

absl::Status Store::FinishAttempt(const v1::AttemptKey& key,
                                  const std::optional<v1::Failure>& failure) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(key.trial()));
  absl::MutexLock lock(&mu_);
  return InTransaction([&]() -> absl::Status {
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
  });
}

absl::StatusOr<bool> Store::StoreWorkerResult(const v1::WorkerResult& result) {
  ASSIGN_OR_RETURN(api::TrialRef ref,
                   api::ParseTrialName(result.key().trial()));
  RETURN_IF_ERROR(api::ValidateId(result.worker_id(), "worker id"));
  absl::MutexLock lock(&mu_);
  bool stored = false;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Statement find,
                     db_->Prepare("SELECT 1 FROM attempts WHERE experiment = ? "
                                  "AND trial = ? AND number = ?"));
    find.Bind(1, ref.experiment_id)
        .Bind(2, static_cast<int64_t>(ref.trial))
        .Bind(3, static_cast<int64_t>(result.key().attempt()));
    ASSIGN_OR_RETURN(bool row, find.Step());
    if (!row) {
      return absl::NotFoundError(absl::StrCat(
          "no attempt ", result.key().attempt(), " of ", result.key().trial()));
    }
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

absl::Status Store::StoreTrialResult(const v1::TrialResult& result) {
  ASSIGN_OR_RETURN(api::TrialRef ref,
                   api::ParseTrialName(result.key().trial()));
  const std::string blob = Serialize(result);
  absl::MutexLock lock(&mu_);
  return InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Statement attempt,
                     db_->Prepare("SELECT 1 FROM attempts WHERE experiment = ? "
                                  "AND trial = ? AND number = ?"));
    attempt.Bind(1, ref.experiment_id)
        .Bind(2, static_cast<int64_t>(ref.trial))
        .Bind(3, static_cast<int64_t>(result.key().attempt()));
    ASSIGN_OR_RETURN(bool known, attempt.Step());
    if (!known) {
      return absl::NotFoundError(absl::StrCat(
          "no attempt ", result.key().attempt(), " of ", result.key().trial()));
    }
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
  });
}

absl::StatusOr<v1::TrialResult> Store::GetTrialResult(
    absl::string_view trial_name) {
  ASSIGN_OR_RETURN(api::TrialRef ref, api::ParseTrialName(trial_name));
  absl::MutexLock lock(&mu_);
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
  absl::MutexLock lock(&mu_);
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

absl::Status Store::SetExperimentState(absl::string_view experiment_id,
                                       v1::ExperimentState state,
                                       absl::string_view status_message) {
  if (state == v1::EXPERIMENT_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError("experiment state: unspecified");
  }
  absl::MutexLock lock(&mu_);
  return InTransaction([&]() -> absl::Status {
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
                     "end_time END WHERE id = ?"));
    update.Bind(1, static_cast<int64_t>(state))
        .Bind(2, status_message)
        .Bind(3, int64_t{state == v1::EXPERIMENT_STATE_RUNNING})
        .Bind(4, now)
        .Bind(5, int64_t{ExperimentEnded(state)})
        .Bind(6, now)
        .Bind(7, experiment_id);
    RETURN_IF_ERROR(update.Run());
    return AppendEvent(
        experiment_id, nullptr, nullptr,
        status_message.empty()
            ? absl::StrCat("experiment ", v1::ExperimentState_Name(state))
            : std::string(status_message));
  });
}

absl::StatusOr<std::vector<v1::ExperimentEvent>> Store::Events(
    absl::string_view experiment_id, uint64_t after_sequence) {
  absl::MutexLock lock(&mu_);
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

absl::Status Store::UpsertWorker(absl::string_view worker_id,
                                 absl::string_view session,
                                 const v1::HostFacts& facts, absl::Time now) {
  RETURN_IF_ERROR(api::ValidateId(worker_id, "worker id"));
  absl::MutexLock lock(&mu_);
  return InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement upsert,
        db_->Prepare(
            "INSERT INTO workers (id, session, facts, last_seen, status) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "session = excluded.session, facts = excluded.facts, "
            "last_seen = excluded.last_seen, status = CASE WHEN status = ? "
            "THEN status ELSE excluded.status END"));
    upsert.Bind(1, worker_id)
        .Bind(2, session)
        .BindBlob(3, Serialize(facts))
        .Bind(4, absl::ToUnixMicros(now))
        .Bind(5, static_cast<int64_t>(v1::WORKER_STATUS_IDLE))
        .Bind(6, static_cast<int64_t>(v1::WORKER_STATUS_BUSY));
    return upsert.Run();
  });
}

absl::Status Store::SetWorkerStatus(absl::string_view worker_id,
                                    v1::WorkerStatus status) {
  absl::MutexLock lock(&mu_);
  return InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement update,
        db_->Prepare("UPDATE workers SET status = ? WHERE id = ?"));
    update.Bind(1, static_cast<int64_t>(status)).Bind(2, worker_id);
    RETURN_IF_ERROR(update.Run());
    if (db_->Changes() == 0) {
      return absl::NotFoundError(
          absl::StrCat("no worker ", api::WorkerName(worker_id)));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::Worker>> Store::ListWorkers() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_->Prepare("SELECT id, facts, last_seen, status FROM "
                                "workers ORDER BY id"));
  std::vector<v1::Worker> workers;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return workers;
    v1::Worker worker;
    worker.set_name(api::WorkerName(stmt.ColumnText(0)));
    ASSIGN_OR_RETURN(*worker.mutable_facts(),
                     Parse<v1::HostFacts>(stmt.ColumnBlob(1), "host facts"));
    *worker.mutable_last_seen_time() = MicrosToProto(stmt.ColumnInt(2));
    worker.set_status(static_cast<v1::WorkerStatus>(stmt.ColumnInt(3)));
    workers.push_back(std::move(worker));
  }
}

}  // namespace scalebench::coordinator
