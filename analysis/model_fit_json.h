// JSON for the API's model messages, shared by `scalebench fit --json` and
// the coordinator: keys are the proto field names, enum values their
// lower-case spelling (api/enum_names.h), and a field the proto leaves
// unset is null, never omitted and never NaN. Stateless; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_MODEL_FIT_JSON_H_
#define SCALEBENCH_ANALYSIS_MODEL_FIT_JSON_H_

#include "common/json_writer.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::analysis {

// Writes `spec` as one object: {"fit": "poly", "degree": 2, "x": ..., "y":
// ..., "by": [...], "train": {"factors": {"hosts": {"values": ["1"]}}},
// "test": ...}. degree is null unless the model takes one (poly:
// ModelInfo::takes_degree); train and test are null
// when they have no factors.
void WriteModelSpecJson(const v1::ModelSpec& spec, JsonWriter& w);

// Whether WriteModelFitJson writes the fit's `spec` (a document that
// states the spec once, for all its fits, leaves it out).
enum class FitSpecInJson { kInclude, kOmit };

// Writes `fit` as one object with every field of v1::ModelFit in
// declaration order: group (an object, {} without `by`), n, dof,
// parameters ([{name, estimate, std_error, ci_low, ci_high}]), r2, adj_r2,
// aic, aicc, residual_se, loo_rmse, peak_x, peak_y, peak_beyond_data,
// fallback_x, cross_host ({predictions: [{x, measured, predicted,
// relative_error, pi_low, pi_high, inside}], rmse, outside,
// miss_probability, holds, verdict, saturation}) and error; preceded by
// spec with kInclude. Null: an absent optional statistic; cross_host when
// the spec has no cross-host test; saturation when it was not worked out; error
// when the fit succeeded; and when it did not, every field but spec, group, n
// and error.
void WriteModelFitJson(const v1::ModelFit& fit, FitSpecInJson spec,
                       JsonWriter& w);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_MODEL_FIT_JSON_H_
