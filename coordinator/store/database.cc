#include "coordinator/store/database.h"

#include <exception>
#include <new>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "coordinator/store/schema.h"

namespace scalebench::coordinator {
namespace {

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

absl::StatusOr<std::unique_ptr<StoreDatabase>> StoreDatabase::Open(
    const std::string& path, Clock* clock) {
  // First the lock: a second coordinator must not touch the file at all.
  ASSIGN_OR_RETURN(std::unique_ptr<StoreFileLock> lock,
                   StoreFileLock::Acquire(path));
  RETURN_IF_ERROR(MakeStoreFilesPrivate(path));
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(path));
  std::unique_ptr<StoreDatabase> database(
      new StoreDatabase(std::move(db), clock));
  database->lock_file_ = std::move(lock);
  RETURN_IF_ERROR(database->Configure());
  RETURN_IF_ERROR(database->Migrate());
  return database;
}

StoreDatabase::~StoreDatabase() = default;

absl::Status StoreDatabase::Configure() {
  Lock lock(this);
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

int StoreDatabase::schema_version() {
  Lock lock(this);
  absl::StatusOr<Statement> stmt = db_->Prepare("PRAGMA user_version");
  if (!stmt.ok()) return -1;
  absl::StatusOr<bool> row = stmt->Step();
  return row.ok() && *row ? static_cast<int>(stmt->ColumnInt(0)) : -1;
}

absl::Status StoreDatabase::Migrate() {
  Lock lock(this);
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

StoreDatabase::Lock::Lock(StoreDatabase* db, bool urgent) : db_(db) {
  if (urgent) {
    db->urgent_waiting_.fetch_add(1);
    db->mu_.Lock();
    db->urgent_waiting_.fetch_sub(1);
    return;
  }
  // Re-evaluated whenever mu_ is released: an urgent caller that began
  // waiting before then goes first.
  db->mu_.LockWhen(absl::Condition(
      +[](std::atomic<int>* urgent) { return urgent->load() == 0; },
      &db->urgent_waiting_));
}

StoreDatabase::Lock::~Lock() { db_->mu_.Unlock(); }

absl::Status StoreDatabase::InTransaction(
    absl::FunctionRef<absl::Status()> body) {
  RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  absl::Status status = RunCatching(body);
  if (status.ok()) status = db_->Exec("COMMIT");
  if (!status.ok()) db_->Exec("ROLLBACK").IgnoreError();
  return status;
}

absl::Status StoreDatabase::InReadTransaction(
    absl::FunctionRef<absl::Status()> body) {
  RETURN_IF_ERROR(db_->Exec("BEGIN"));
  absl::Status status = RunCatching(body);
  db_->Exec(status.ok() ? "COMMIT" : "ROLLBACK").IgnoreError();
  return status;
}

absl::Status StoreDatabase::TEST_InTransaction(
    absl::FunctionRef<absl::Status(Database& db)> body) {
  Lock lock(this);
  return InTransaction([&] { return body(*db_); });
}

int64_t StoreDatabase::NowMicros() const {
  return absl::ToUnixMicros(clock_->Wall());
}

}  // namespace scalebench::coordinator
