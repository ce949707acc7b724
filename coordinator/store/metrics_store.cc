#include "coordinator/store/metrics_store.h"

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

using internal::Parse;

absl::StatusOr<StoreCounts> MetricsStore::CountStates() {
  StoreDatabase::Lock lock(db_);
  StoreCounts counts;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement experiments,
        db_->Prepare("SELECT state, COUNT(*) FROM experiments GROUP BY state"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, experiments.Step());
      if (!row) break;
      counts.experiments[static_cast<v1::ExperimentState>(
          experiments.ColumnInt(0))] = experiments.ColumnInt(1);
    }
    ASSIGN_OR_RETURN(
        Statement trials,
        db_->Prepare("SELECT state, COUNT(*) FROM trials GROUP BY state"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, trials.Step());
      if (!row) break;
      counts.trials[static_cast<v1::TrialState>(trials.ColumnInt(0))] =
          trials.ColumnInt(1);
    }
    ASSIGN_OR_RETURN(
        Statement failures,
        db_->Prepare("SELECT failure FROM attempts WHERE failure IS NOT NULL"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, failures.Step());
      if (!row) break;
      ASSIGN_OR_RETURN(v1::Failure failure,
                       internal::Parse<v1::Failure>(failures.ColumnBlob(0),
                                                    "attempt failure"));
      ++counts.failed_attempts[failure.kind()];
    }
    return absl::OkStatus();
  }));
  return counts;
}

}  // namespace scalebench::coordinator
