#include "coordinator/store/fit_store.h"

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
using internal::Serialize;

absl::Status FitStore::ReplaceFits(absl::string_view experiment_id,
                                   const std::vector<v1::ModelFit>& fits) {
  StoreDatabase::Lock lock(db_);
  return db_->InTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        rows_.ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC)
            .status());
    ASSIGN_OR_RETURN(Statement erase,
                     db_->Prepare("DELETE FROM fits WHERE experiment = ?"));
    erase.Bind(1, experiment_id);
    RETURN_IF_ERROR(erase.Run());
    for (size_t i = 0; i < fits.size(); ++i) {
      ASSIGN_OR_RETURN(Statement insert,
                       db_->Prepare("INSERT INTO fits (experiment, idx, fit) "
                                    "VALUES (?, ?, ?)"));
      insert.Bind(1, experiment_id)
          .Bind(2, static_cast<int64_t>(i))
          .BindBlob(3, Serialize(fits[i]));
      RETURN_IF_ERROR(insert.Run());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::ModelFit>> FitStore::ListFits(
    absl::string_view experiment_id) {
  StoreDatabase::Lock lock(db_);
  std::vector<v1::ModelFit> fits;
  RETURN_IF_ERROR(db_->InReadTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        rows_.ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC)
            .status());
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT fit FROM fits WHERE experiment = ? "
                                  "ORDER BY idx"));
    stmt.Bind(1, experiment_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return absl::OkStatus();
      ASSIGN_OR_RETURN(v1::ModelFit fit,
                       Parse<v1::ModelFit>(stmt.ColumnBlob(0), "model fit"));
      fits.push_back(std::move(fit));
    }
  }));
  return fits;
}

}  // namespace scalebench::coordinator
