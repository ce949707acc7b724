// The webhook outbox: notifications a verdict queued (schedule_store.h),
// each delivered until sent and then never again. One of the stores over
// the coordinator's database (stores.h). Thread-safe: calls are
// serialized on the database.
#ifndef SCALEBENCH_COORDINATOR_STORE_OUTBOX_STORE_H_
#define SCALEBENCH_COORDINATOR_STORE_OUTBOX_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "coordinator/store/database.h"
#include "coordinator/store/store_rows.h"
#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/coordinator.pb.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::coordinator {

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

class OutboxStore final : private StoreBase {
 public:
  using StoreBase::StoreBase;

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
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_OUTBOX_STORE_H_
