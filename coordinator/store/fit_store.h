// An experiment's model fits, replaced as a whole. One of the stores over
// the coordinator's database (stores.h). Thread-safe: calls are
// serialized on the database.
#ifndef SCALEBENCH_COORDINATOR_STORE_FIT_STORE_H_
#define SCALEBENCH_COORDINATOR_STORE_FIT_STORE_H_

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

class FitStore final : private StoreBase {
 public:
  using StoreBase::StoreBase;

  // Replaces the experiment's stored model fits with `fits`, in order, in
  // one transaction. Replacing with an empty list removes them. NOT_FOUND
  // when the experiment is unknown.
  absl::Status ReplaceFits(absl::string_view experiment_id,
                           const std::vector<v1::ModelFit>& fits);

  // The experiment's stored fits, in the order stored; empty when none
  // are. NOT_FOUND when the experiment is unknown.
  absl::StatusOr<std::vector<v1::ModelFit>> ListFits(
      absl::string_view experiment_id);
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_FIT_STORE_H_
