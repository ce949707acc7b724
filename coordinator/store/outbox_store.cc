#include "coordinator/store/outbox_store.h"

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

absl::StatusOr<std::vector<OutboxEntry>> OutboxStore::DueNotifications(
    absl::Time now, int limit) {
  StoreDatabase::Lock lock(db_);
  std::vector<OutboxEntry> due;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement stmt,
        db_->Prepare("SELECT id, event_key, schedule, url, payload, attempts "
                     "FROM notifications WHERE sent_time IS NULL AND "
                     "next_attempt_time <= ? ORDER BY id LIMIT ?"));
    stmt.Bind(1, absl::ToUnixMicros(now)).Bind(2, int64_t{limit});
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return absl::OkStatus();
      OutboxEntry entry;
      entry.id = stmt.ColumnInt(0);
      entry.event_key = stmt.ColumnText(1);
      entry.schedule_id = stmt.ColumnText(2);
      entry.url = stmt.ColumnText(3);
      entry.payload = stmt.ColumnText(4);
      entry.attempts = static_cast<int>(stmt.ColumnInt(5));
      due.push_back(std::move(entry));
    }
  }));
  return due;
}

absl::Status OutboxStore::MarkNotificationSent(int64_t id) {
  StoreDatabase::Lock lock(db_);
  return db_->InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement update,
        db_->Prepare("UPDATE notifications SET sent_time = ?, attempts = "
                     "attempts + 1, last_error = '' WHERE id = ? AND "
                     "sent_time IS NULL"));
    update.Bind(1, db_->NowMicros()).Bind(2, id);
    return update.Run();
  });
}

absl::Status OutboxStore::DeferNotification(int64_t id, absl::string_view error,
                                            absl::Time next_attempt_time) {
  StoreDatabase::Lock lock(db_);
  return db_->InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement update,
        db_->Prepare("UPDATE notifications SET attempts = attempts + 1, "
                     "last_error = ?, next_attempt_time = ? WHERE id = ? AND "
                     "sent_time IS NULL"));
    update.Bind(1, error)
        .Bind(2, absl::ToUnixMicros(next_attempt_time))
        .Bind(3, id);
    return update.Run();
  });
}

absl::StatusOr<int64_t> OutboxStore::CountUndeliveredNotifications() {
  StoreDatabase::Lock lock(db_);
  int64_t count = 0;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT COUNT(*) FROM notifications WHERE "
                                  "sent_time IS NULL"));
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (row) count = stmt.ColumnInt(0);
    return absl::OkStatus();
  }));
  return count;
}

}  // namespace scalebench::coordinator
