// Applies a model spec (v1::ModelSpec) to a table of observations: one
// v1::ModelFit per group of rows (ModelSpec.by), or a cross-host test
// (ModelSpec.train and .test). The bridge between the pure fits
// (ols.h, usl.h, cross_host.h) and the API: `scalebench fit` calls it on a
// CSV file, the coordinator on an experiment's results. Every statistic
// that does not exist for a fit is left unset, never 0 or NaN.
// Stateless functions; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_MODEL_FIT_H_
#define SCALEBENCH_ANALYSIS_MODEL_FIT_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "analysis/model.h"
#include "analysis/row_table.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::analysis {

struct ApplyModelOptions {
  // How error messages name a field of the ModelSpec, given its proto name:
  // "fit", "degree", "x", "y", "by", "train" or "test". Unset (the
  // default): the proto name itself. The coordinator may answer
  // "models[0].x"; `scalebench fit` answers with its flags ("--x").
  FieldNamer field_name;
};

// Checks `spec` on its own. INVALID_ARGUMENT "FIELD: ..." when `fit` is
// unspecified; no model is registered for it (model_registry.h: "fit:
// unknown model kind ..."); the model refuses its other fields
// (Model::CheckSpec: a poly's degree outside [2, 10], degree 1 refused in
// favour of linear, another kind with a degree); x or y is empty; `by` names an
// empty or repeated column; only one of train and test has factors; or a
// cross-host test asks for a model whose ModelInfo::cross_host is false (USL,
// Amdahl).
absl::Status ValidateModelSpec(const v1::ModelSpec& spec,
                               const ApplyModelOptions& options = {});

// ModelFit.error of the one fit ApplyModel gives for a table without rows
// when the spec has no `by`.
inline constexpr absl::string_view kNoRowsToFit = "no rows to fit";

// Fits `spec` to the rows of `table`: one ModelFit per distinct combination
// of the `by` columns' texts, in order of first appearance (exactly one,
// with an empty group, when `by` is empty, even for an empty table: its
// error is kNoRowsToFit; none with `by` and no rows). With
// train and test, each group's fit uses its training rows and predicts its
// test rows; rows that match neither are ignored.
//
// A group the model cannot be fitted to (too few points, x constant, no
// test rows, ...) gets ModelFit.error, a message that starts with the
// group ("platform = xen: all x values are equal ..."); the other groups
// are still fitted. The call itself fails with INVALID_ARGUMENT when the
// spec is invalid (ValidateModelSpec), a column it names is not in the
// table ("FIELD: no column named 'c' in SOURCE ..."), an x or y cell of a
// row it uses is not a finite number ("ORIGIN: column 'c' holds ..."), or
// a row matches both train and test ("ORIGIN: the row matches both ...").
absl::StatusOr<std::vector<v1::ModelFit>> ApplyModel(
    const v1::ModelSpec& spec, const RowTable& table,
    const ApplyModelOptions& options = {});

// A stored fit's model fitted again to the rows of `table` it was fitted
// to (its group's rows; for a cross-host test, its training rows), by the
// code ApplyModel uses: for drawing the fit with its intervals, which the
// stored v1::ModelFit does not hold.
struct Refit {
  std::unique_ptr<FittedModel> model;
  // Points fitted.
  int n = 0;
  // The range of x over the group's rows used: the training rows and, for
  // a cross-host test, the test rows.
  double x_min = 0;
  double x_max = 0;
};

// Errors: ValidateModelSpec's for fit.spec and ApplyModel's for the table;
// INVALID_ARGUMENT "no rows to fit" when no row of the table is in the
// fit's group, or the model's own error (Model::Fit) when it cannot be
// fitted to them.
absl::StatusOr<Refit> RefitStoredFit(const v1::ModelFit& fit,
                                     const RowTable& table);

// The fit's group for people, in the order of spec.by:
// "platform = docker, hosts = 2"; "" when the spec has no `by` or the fit
// has no group (a model that could not be fitted at all, e.g. to no rows).
std::string GroupLabel(const v1::ModelFit& fit);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_MODEL_FIT_H_
