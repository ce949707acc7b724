// What the stores (stores.h) share in their implementation, not part of
// their API: row encodings, and StoreRows, the reads and writes that more
// than one store makes inside its own transaction (an experiment's event
// log, its state, a trial with its attempts), so that a call spanning
// concerns stays one transaction. Thread-safe as the database is: StoreRows
// is called with StoreDatabase::Lock held, inside a transaction.
#ifndef SCALEBENCH_COORDINATOR_STORE_STORE_ROWS_H_
#define SCALEBENCH_COORDINATOR_STORE_STORE_ROWS_H_

#include <google/protobuf/message_lite.h>
#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "api/resource_names.h"
#include "coordinator/store/database.h"
#include "coordinator/store/sqlite.h"
#include "google/protobuf/map.h"
#include "scalebench/v1/coordinator.pb.h"

namespace scalebench::coordinator::internal {

// Deterministic bytes, so equal messages serialize equally (maps sorted).
std::string Serialize(const google::protobuf::MessageLite& message);

template <typename T>
absl::StatusOr<T> Parse(const std::string& blob, absl::string_view what) {
  T message;
  if (!message.ParseFromString(blob)) {
    return absl::DataLossError(absl::StrCat("store: unreadable ", what));
  }
  return message;
}

// Times are stored as microseconds since the Unix epoch.
google::protobuf::Timestamp MicrosToProto(int64_t micros);

inline bool TrialEnded(v1::TrialState state) {
  return state == v1::TRIAL_STATE_SUCCEEDED ||
         state == v1::TRIAL_STATE_FAILED || state == v1::TRIAL_STATE_CANCELLED;
}

inline bool ExperimentEnded(v1::ExperimentState state) {
  return state == v1::EXPERIMENT_STATE_SUCCEEDED ||
         state == v1::EXPERIMENT_STATE_FAILED ||
         state == v1::EXPERIMENT_STATE_CANCELLED;
}

// The attempt in columns first.. first + 4 of `stmt`: number, placement,
// start_time, end_time, failure.
absl::StatusOr<v1::Attempt> AttemptFromRow(Statement& stmt, int first);

// The row of attempt `key` of the trial `ref` names, its `columns` (an SQL
// select list) ready to read; NOT_FOUND when there is none.
absl::StatusOr<Statement> FindAttempt(StoreDatabase& db,
                                      absl::string_view columns,
                                      const api::TrialRef& ref,
                                      const v1::AttemptKey& key);

// Sets the state column of the trial `ref` names, and nothing else (no
// event, no check).
absl::Status UpdateTrialState(StoreDatabase& db, const api::TrialRef& ref,
                              v1::TrialState state);

// The merged result stored for the trial `ref` names, serialized; none
// when there is none yet.
absl::StatusOr<std::optional<std::string>> ReadTrialResultBlob(
    StoreDatabase& db, const api::TrialRef& ref);

// Every row of `stmt`, its column 0 parsed as a T (`what` names it in a
// DATA_LOSS error).
template <typename T>
absl::StatusOr<std::vector<T>> ReadMessages(Statement& stmt,
                                            absl::string_view what) {
  std::vector<T> messages;
  while (true) {
    absl::StatusOr<bool> row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return messages;
    absl::StatusOr<T> message = Parse<T>(stmt.ColumnBlob(0), what);
    if (!message.ok()) return message.status();
    messages.push_back(*std::move(message));
  }
}

// NOT_FOUND unless attempt `key` of the trial `ref` names is stored.
absl::Status CheckAttemptExists(StoreDatabase& db, const api::TrialRef& ref,
                                const v1::AttemptKey& key);

// NOT_FOUND unless attempt `key` of the trial `ref` names is stored;
// PERMISSION_DENIED when `worker_id` holds no role in its placement (a
// value is the worker's id, or its resource name "workers/ID"): only a
// worker placed on an attempt may report for it.
absl::Status CheckPlacedOnAttempt(StoreDatabase& db, const api::TrialRef& ref,
                                  const v1::AttemptKey& key,
                                  const std::string& worker_id);

}  // namespace scalebench::coordinator::internal

namespace scalebench::coordinator {

class StoreRows final {
 public:
  explicit StoreRows(StoreDatabase* db) : db_(db) {}

  // Experiments (store_rows.cc).

  // Inserts a new experiment, its configurations and its trials, and
  // appends its first event (ExperimentStore::CreateExperiment's contract);
  // returns its id, or the one `request_id` already made. A non-empty
  // `schedule_id` records the schedule and `night` (default now).
  absl::StatusOr<std::string> CreateExperimentLocked(
      const v1::ExperimentSpec& spec, absl::string_view spec_source,
      absl::string_view request_id, uint64_t seed,
      absl::string_view schedule_id, std::optional<absl::Time> night);

  // ExperimentStore::SetExperimentState's body.
  absl::Status SetExperimentStateLocked(absl::string_view experiment_id,
                                        v1::ExperimentState state,
                                        absl::string_view status_message);

  // The experiment in `view`, with its progress. NOT_FOUND.
  absl::StatusOr<v1::Experiment> ReadExperiment(absl::string_view id,
                                                v1::ExperimentView view);

  // One trial with its attempts. NOT_FOUND.
  absl::StatusOr<v1::Trial> ReadTrial(absl::string_view experiment_id,
                                      uint32_t number);
  // Adds the trial's attempts to `trial`, in number order.
  absl::Status ReadAttempts(absl::string_view experiment_id, uint32_t number,
                            v1::Trial* trial);

  // Appends the next event of `experiment_id`: the experiment (BASIC) as it
  // is now, `trial` if given, `result` if given, and `message`.
  absl::Status AppendEvent(absl::string_view experiment_id,
                           const v1::Trial* trial,
                           const v1::TrialResult* result,
                           absl::string_view message);

  // Trials (trial_rows.cc): the bodies of TrialStore::SetTrialState,
  // TrialStore::FinishAttempt and ResultStore::StoreTrialResult, which
  // TrialStore::EndAttempt runs together in one transaction.
  absl::Status SetTrialStateLocked(const api::TrialRef& ref,
                                   v1::TrialState state,
                                   absl::string_view message);
  absl::Status FinishAttemptLocked(const api::TrialRef& ref,
                                   const v1::AttemptKey& key,
                                   const std::optional<v1::Failure>& failure);
  absl::Status StoreTrialResultLocked(const api::TrialRef& ref,
                                      const v1::TrialResult& result);

 private:
  absl::Status ReadProgress(absl::string_view id, v1::Experiment::Progress* p);
  int64_t NowMicros() const { return db_->NowMicros(); }

  StoreDatabase* const db_;
};

// What every store over the database (stores.h) is built on: the database
// and the rows the stores share, both for the store's implementation.
// Non-copyable. A store derives from it privately and inherits its
// constructor.
class StoreBase {
 public:
  explicit StoreBase(StoreDatabase* db) : db_(db), rows_(db) {}
  StoreBase(const StoreBase&) = delete;
  StoreBase& operator=(const StoreBase&) = delete;

 protected:
  ~StoreBase() = default;

  StoreDatabase* const db_;
  StoreRows rows_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_STORE_ROWS_H_
