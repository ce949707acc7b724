// The coordinator's database: one SQLite file in WAL mode, one connection,
// one mutex, shared by every store over it (stores.h). Every mutating call
// of a store is one transaction on it (BEGIN IMMEDIATE ... COMMIT): it
// happens entirely or not at all, so the coordinator can be killed at any
// instant and resume from the file. A call that spans concerns (a firing
// that creates an experiment, an attempt's end that stores its result) is
// still one transaction: the stores share this connection, and the rows
// they write together go through StoreRows inside that transaction.
//
// Thread-safe: callers hold Lock around their use of the connection.
#ifndef SCALEBENCH_COORDINATOR_STORE_DATABASE_H_
#define SCALEBENCH_COORDINATOR_STORE_DATABASE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "coordinator/store/sqlite.h"
#include "coordinator/store/store_file.h"

namespace scalebench::coordinator {

// The schema version this build writes; a file at a higher version was
// written by a newer coordinator.
inline constexpr int kSchemaVersion = 5;
// A page of experiments or of trials ends early once it holds about this
// many serialized bytes (it always holds one), so that a response stays
// well within gRPC's 4 MiB messages.
inline constexpr size_t kMaxPageBytes = 1 << 20;
// How long a call waits for another process holding the file's write lock
// before failing with UNAVAILABLE.
inline constexpr absl::Duration kBusyTimeout = absl::Seconds(5);

class StoreDatabase final {
 public:
  // Opens (creating if missing) the database at `path`, turns on WAL mode,
  // synchronous=FULL and foreign keys, and migrates the schema to
  // kSchemaVersion, each migration step in its own transaction. Holds an
  // exclusive lock on "`path`.lock" while open, so that no other store
  // (another coordinator) opens the file meanwhile, and keeps the file
  // and its -wal and -shm files readable by their owner only (mode 0600;
  // see store_file.h). Times come from `clock`'s wall time; `clock` must
  // outlive the database. Errors, each naming the file: UNAVAILABLE (the
  // file cannot be opened or is locked, "another coordinator (pid N)
  // holds PATH"), FAILED_PRECONDITION (the file's schema is newer than
  // this build knows, WAL mode cannot be turned on, or the file's mode
  // cannot be set), INTERNAL.
  static absl::StatusOr<std::unique_ptr<StoreDatabase>> Open(
      const std::string& path, Clock* clock);

  StoreDatabase(const StoreDatabase&) = delete;
  StoreDatabase& operator=(const StoreDatabase&) = delete;
  ~StoreDatabase();

  // Holds the database's mutex for one store call. Workers' Synchronize
  // calls are waiting on the store (UpsertWorker, StoreWorkerResults):
  // they lock as urgent, and other calls (the scheduler's passes, the
  // CLI's reads) let a waiting urgent one go first, so a pass of many
  // commits does not starve them.
  class ABSL_SCOPED_LOCKABLE Lock {
   public:
    explicit Lock(StoreDatabase* db, bool urgent = false)
        ABSL_EXCLUSIVE_LOCK_FUNCTION(db->mu_);
    ~Lock() ABSL_UNLOCK_FUNCTION();

   private:
    StoreDatabase* const db_;
  };

  // The file's schema version after Open: kSchemaVersion.
  int schema_version();

  // Runs `body` in BEGIN IMMEDIATE ... COMMIT; rolls back on any error,
  // and on any exception `body` throws, which becomes RESOURCE_EXHAUSTED
  // (std::bad_alloc) or INTERNAL: no exception leaves the store, and no
  // transaction stays open. The caller holds Lock.
  absl::Status InTransaction(absl::FunctionRef<absl::Status()> body);
  // Runs `body` in a read transaction (one consistent snapshot); ended on
  // an exception as InTransaction's. The caller holds Lock.
  absl::Status InReadTransaction(absl::FunctionRef<absl::Status()> body);

  // The connection's calls (sqlite.h), for a caller holding Lock. Prepare
  // binds `values` to the statement's parameters in order
  // (Statement::BindAll).
  template <typename... Values>
  absl::StatusOr<Statement> Prepare(absl::string_view sql,
                                    const Values&... values) {
    absl::StatusOr<Statement> stmt = db_->Prepare(sql);
    if (stmt.ok()) stmt->BindAll(values...);
    return stmt;
  }
  absl::Status Exec(absl::string_view sql) { return db_->Exec(sql); }
  int Changes() const { return db_->Changes(); }
  const std::string& path() const { return db_->path(); }

  // Now, from the clock's wall time, as stored: microseconds since the
  // Unix epoch.
  int64_t NowMicros() const;

  // For tests: runs `body` on the connection inside a write transaction,
  // as every mutating call does.
  absl::Status TEST_InTransaction(
      absl::FunctionRef<absl::Status(Database& db)> body);

 private:
  StoreDatabase(std::unique_ptr<Database> db, Clock* clock)
      : db_(std::move(db)), clock_(clock) {}

  absl::Status Configure();
  absl::Status Migrate();

  absl::Mutex mu_;
  std::atomic<int> urgent_waiting_{0};
  // Released after db_ is closed (members are destroyed in reverse).
  std::unique_ptr<StoreFileLock> lock_file_;
  std::unique_ptr<Database> db_;
  Clock* const clock_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_DATABASE_H_
