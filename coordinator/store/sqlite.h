// A thin RAII layer over the SQLite C API for the coordinator's store: a
// connection, prepared statements with typed binds and columns, and errors
// as absl::Status. Not thread-safe: one Database per thread (or a lock
// around it).
#ifndef SCALEBENCH_COORDINATOR_STORE_SQLITE_H_
#define SCALEBENCH_COORDINATOR_STORE_SQLITE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3;
struct sqlite3_stmt;

namespace scalebench::coordinator {

class Statement;

// A parameter for Statement::BindAll that binds as a BLOB (a string binds
// as TEXT).
struct Blob {
  absl::string_view bytes;
};

// One open connection to a database file.
class Database final {
 public:
  // Opens (creating if missing) the database at `path`. UNAVAILABLE when
  // the file cannot be opened.
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const std::string& path);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  // Closes the connection (finalizing nothing: every Statement must be
  // gone by then).
  ~Database();

  // Runs one or more statements that return no rows of interest.
  absl::Status Exec(absl::string_view sql);

  // Compiles one statement. INTERNAL on a syntax error.
  absl::StatusOr<Statement> Prepare(absl::string_view sql);

  // The rowid of the last INSERT on this connection.
  int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int Changes() const;

  // A status for SQLite result code `rc` with the connection's message,
  // `what` saying what was being done, and the file's path. SQLITE_BUSY
  // maps to UNAVAILABLE, a constraint violation to ALREADY_EXISTS
  // (unique) or ABORTED (other constraints), everything else to INTERNAL.
  absl::Status Error(int rc, absl::string_view what) const;

  sqlite3* handle() const { return db_; }
  // The file, as given to Open.
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  const std::string path_;
};

// One prepared statement. Binds are 1-based, columns 0-based. Movable.
class Statement final {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Makes the statement ready to run again with new binds.
  void Reset();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, absl::string_view text);
  // Binds `bytes` as a BLOB (not TEXT).
  Statement& BindBlob(int index, absl::string_view bytes);
  Statement& BindNull(int index);
  // Binds `values` to parameters 1, 2, ... in order: an integer, bool or
  // enum as INTEGER, a string as TEXT, a Blob as BLOB, an empty
  // std::optional as NULL (a full one as its value).
  template <typename... Values>
  Statement& BindAll(const Values&... values) {
    int index = 0;
    (BindValue(++index, values), ...);
    return *this;
  }

  // Advances to the next row: true when there is one, false when done.
  absl::StatusOr<bool> Step();
  // Steps to the end, for statements that return no rows.
  absl::Status Run();

  int64_t ColumnInt(int index) const;
  std::string ColumnText(int index) const;
  std::string ColumnBlob(int index) const;
  bool ColumnIsNull(int index) const;

 private:
  friend class Database;
  Statement(const Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  absl::Status Checked(int rc, absl::string_view what);

  template <typename T>
  void BindValue(int index, const T& value) {
    if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
      Bind(index, static_cast<int64_t>(value));
    } else {
      Bind(index, absl::string_view(value));
    }
  }
  template <typename T>
  void BindValue(int index, const std::optional<T>& value) {
    if (value.has_value()) {
      BindValue(index, *value);
    } else {
      BindNull(index);
    }
  }
  void BindValue(int index, const Blob& blob) { BindBlob(index, blob.bytes); }

  const Database* db_;
  sqlite3_stmt* stmt_;
  // The first bind error, reported by Step().
  absl::Status bind_status_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_SQLITE_H_
