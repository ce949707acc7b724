// Fits an experiment's models (ExperimentSpec.models) to its merged trial
// results, as rows of results/trial_rows.h. Stateless; thread-safe.
#ifndef SCALEBENCH_COORDINATOR_TRIALS_FIT_MODELS_H_
#define SCALEBENCH_COORDINATOR_TRIALS_FIT_MODELS_H_

#include <vector>

#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::coordinator {

// For each of spec.models in order, analysis::ApplyModel's fits over the
// rows of `results` (one per group; a group that cannot be fitted carries
// its ModelFit.error); a cross-host test also carries its
// CrossHostTest.saturation (saturation.h). Never fails: a model that cannot be
// fitted at all (the rows cannot be built, a cell is not a number, no rows)
// yields one ModelFit with its spec and `error` saying why ("models[1]: ...";
// without results, "models[0]: no rows to fit: there are no trial results").
std::vector<v1::ModelFit> FitSpecModels(
    const v1::ExperimentSpec& spec,
    const std::vector<v1::TrialResult>& results);

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_TRIALS_FIT_MODELS_H_
