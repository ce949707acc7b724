// The Store's model fits, and the merged results they are fitted to.
#include <string>
#include <vector>

#include "common/status_macros.h"
#include "coordinator/store/stores.h"
#include "coordinator/store/store_rows.h"

namespace scalebench::coordinator {

using internal::Parse;
using internal::Serialize;

absl::Status Store::ReplaceFits(absl::string_view experiment_id,
                                const std::vector<v1::ModelFit>& fits) {
  StoreLock lock(this);
  return InTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC).status());
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

absl::StatusOr<std::vector<v1::ModelFit>> Store::ListFits(
    absl::string_view experiment_id) {
  StoreLock lock(this);
  std::vector<v1::ModelFit> fits;
  RETURN_IF_ERROR(InReadTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC).status());
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

absl::StatusOr<std::vector<v1::TrialResult>> Store::ListTrialResults(
    absl::string_view experiment_id) {
  StoreLock lock(this);
  std::vector<v1::TrialResult> results;
  RETURN_IF_ERROR(InReadTransaction([&]() -> absl::Status {
    RETURN_IF_ERROR(
        ReadExperiment(experiment_id, v1::EXPERIMENT_VIEW_BASIC).status());
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("SELECT result FROM trial_results WHERE "
                                  "experiment = ? ORDER BY trial"));
    stmt.Bind(1, experiment_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return absl::OkStatus();
      ASSIGN_OR_RETURN(
          v1::TrialResult result,
          Parse<v1::TrialResult>(stmt.ColumnBlob(0), "trial result"));
      results.push_back(std::move(result));
    }
  }));
  return results;
}

}  // namespace scalebench::coordinator
