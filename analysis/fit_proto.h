// Copies the results of the pure fits (ols.h, usl.h, cross_host.h) into
// the API's v1::ModelFit, following its contract: parameters named b0, b1,
// ... or lambda, sigma[, kappa]; a statistic that does not exist left
// unset; peak and fallback in x for every model. Used by ApplyModel
// (model_fit.h). Stateless functions; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_FIT_PROTO_H_
#define SCALEBENCH_ANALYSIS_FIT_PROTO_H_

#include "analysis/cross_host.h"
#include "analysis/ols.h"
#include "analysis/usl.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::analysis {

// Sets n, dof, parameters, r2, adj_r2, aic, aicc, residual_se, loo_rmse,
// the peak, and the fallback to the value at the smallest x fitted.
// Leaves spec, group, cross_host and error alone.
void FillModelFit(const PolynomialFit& fit, v1::ModelFit& out);

// Sets n, dof, parameters (Amdahl has no kappa), r2, aic, aicc,
// residual_se, the peak, and the fallback to the value at x = 1.
void FillModelFit(const UslFit& fit, v1::ModelFit& out);

// FillModelFit of the training fit, and cross_host.
void FillModelFit(const CrossHostResult& result, v1::ModelFit& out);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_FIT_PROTO_H_
