// Counts for the metrics endpoint: experiments and trials by state,
// failed attempts by kind. One of the stores over the coordinator's
// database (stores.h). Thread-safe: calls are serialized on the database.
#ifndef SCALEBENCH_COORDINATOR_STORE_METRICS_STORE_H_
#define SCALEBENCH_COORDINATOR_STORE_METRICS_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
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

// How many experiments and trials are in each state, and how many
// attempts failed of each kind, for the metrics endpoint. States and kinds
// with no row are absent.
struct StoreCounts {
  absl::flat_hash_map<v1::ExperimentState, int64_t> experiments;
  absl::flat_hash_map<v1::TrialState, int64_t> trials;
  absl::flat_hash_map<v1::FailureKind, int64_t> failed_attempts;
};

class MetricsStore final : private StoreBase {
 public:
  using StoreBase::StoreBase;

  // Experiments and trials by state, and failed attempts by kind, from
  // one snapshot: two GROUP BY counts and a read of the failed attempts'
  // failures (cheap: attempts fail rarely). Errors are SQLite's (INTERNAL,
  // UNAVAILABLE) or INTERNAL for a failure that does not parse.
  absl::StatusOr<StoreCounts> CountStates();
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_METRICS_STORE_H_
