#include "coordinator/trials/fit_models.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "analysis/model_fit.h"
#include "analysis/row_table.h"
#include "coordinator/trials/saturation.h"
#include "results/trial_rows.h"

namespace scalebench::coordinator {
namespace {

v1::ModelFit Failed(const v1::ModelSpec& model, std::string error) {
  v1::ModelFit fit;
  *fit.mutable_spec() = model;
  fit.set_error(std::move(error));
  return fit;
}

}  // namespace

std::vector<v1::ModelFit> FitSpecModels(
    const v1::ExperimentSpec& spec,
    const std::vector<v1::TrialResult>& results) {
  std::vector<v1::ModelFit> fits;
  const absl::StatusOr<analysis::RowTable> table =
      results::TrialRowTable(results);
  for (int i = 0; i < spec.models_size(); ++i) {
    const v1::ModelSpec& model = spec.models(i);
    const std::string path = absl::StrCat("models[", i, "]");
    if (!table.ok()) {
      fits.push_back(
          Failed(model, absl::StrCat(path, ": ", table.status().message())));
      continue;
    }
    // Before any trial has a result (or when all failed): one error per
    // model, with or without `by`, rather than no fit at all.
    if (table->row_count() == 0) {
      fits.push_back(
          Failed(model, absl::StrCat(path, ": ", analysis::kNoRowsToFit,
                                     ": there are no trial "
                                     "results")));
      continue;
    }
    analysis::ApplyModelOptions options;
    options.field_name = [&path](absl::string_view field) {
      return absl::StrCat(path, ".", field);
    };
    absl::StatusOr<std::vector<v1::ModelFit>> applied =
        analysis::ApplyModel(model, *table, options);
    if (!applied.ok()) {
      const absl::string_view message = applied.status().message();
      fits.push_back(Failed(model, absl::StartsWith(message, path)
                                       ? std::string(message)
                                       : absl::StrCat(path, ": ", message)));
      continue;
    }
    for (v1::ModelFit& fit : *applied) {
      if (fit.has_cross_host()) {
        std::optional<std::string> saturation =
            ExplainSaturation(fit, *table, results);
        if (saturation.has_value()) {
          fit.mutable_cross_host()->set_saturation(*std::move(saturation));
        }
      }
      fits.push_back(std::move(fit));
    }
  }
  return fits;
}

}  // namespace scalebench::coordinator
