#include "coordinator/store/worker_store.h"

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

using internal::MicrosToProto;
using internal::Parse;
using internal::Serialize;

absl::Status WorkerStore::UpsertWorker(absl::string_view worker_id,
                                       absl::string_view session,
                                       const v1::HostFacts& facts,
                                       absl::Time now) {
  RETURN_IF_ERROR(api::ValidateId(worker_id, "worker id"));
  StoreDatabase::Lock lock(db_, /*urgent=*/true);
  return db_->InTransaction([&]() -> absl::Status {
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

absl::Status WorkerStore::SetWorkerStatus(absl::string_view worker_id,
                                          v1::WorkerStatus status) {
  StoreDatabase::Lock lock(db_);
  return db_->InTransaction([&]() -> absl::Status {
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

absl::StatusOr<std::vector<v1::Worker>> WorkerStore::ListWorkers() {
  StoreDatabase::Lock lock(db_);
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
