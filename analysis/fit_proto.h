// Copies a fitted model (model.h) and a cross-host test (cross_host.h)
// into the API's v1::ModelFit, following its contract: parameters in the
// model's order and names; a statistic that does not exist left unset;
// peak and fallback in x for every model. Used by ApplyModel
// (model_fit.h). Stateless functions; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_FIT_PROTO_H_
#define SCALEBENCH_ANALYSIS_FIT_PROTO_H_

#include "analysis/cross_host.h"
#include "analysis/model.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::analysis {

// Sets n, dof, parameters, r2, adj_r2, aic, aicc, residual_se and
// loo_rmse (those the model has; standard errors, intervals, adj_r2 and
// residual_se only with dof > 0), the peak, and the fallback. Leaves
// spec, group, cross_host and error alone.
void FillModelFit(const FittedModel& fit, v1::ModelFit& out);

// Sets cross_host from `test`.
void FillCrossHost(const HeldOutTest& test, v1::ModelFit& out);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_FIT_PROTO_H_
