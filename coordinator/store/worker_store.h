// The workers the coordinator knows: their host facts, session and
// status. One of the stores over the coordinator's database (stores.h).
// Thread-safe: calls are serialized on the database.
#ifndef SCALEBENCH_COORDINATOR_STORE_WORKER_STORE_H_
#define SCALEBENCH_COORDINATOR_STORE_WORKER_STORE_H_

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

class WorkerStore final : private StoreBase {
 public:
  using StoreBase::StoreBase;

  // Records that worker `worker_id` synchronized at `now` in `session`
  // with `facts`. A new worker, or a lost one coming back, is IDLE; a busy
  // one stays busy. INVALID_ARGUMENT for a bad id.
  absl::Status UpsertWorker(absl::string_view worker_id,
                            absl::string_view session,
                            const v1::HostFacts& facts, absl::Time now);

  // Sets a known worker's status. NOT_FOUND.
  absl::Status SetWorkerStatus(absl::string_view worker_id,
                               v1::WorkerStatus status);

  // Every known worker, ordered by name.
  absl::StatusOr<std::vector<v1::Worker>> ListWorkers();
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_WORKER_STORE_H_
