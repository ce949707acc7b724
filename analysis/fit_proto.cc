#include "analysis/fit_proto.h"

#include <cmath>
#include <optional>
#include <string>

#include "analysis/estimate.h"

namespace scalebench::analysis {
namespace {

// Sets a proto3 optional double through `set` only when the value exists
// and is finite: a statistic is absent, never NaN.
template <typename Setter>
void SetIfPresent(const std::optional<double>& value, Setter set) {
  if (value.has_value() && std::isfinite(*value)) set(*value);
}

void AddParameter(const std::string& name, const Estimate& e, int dof,
                  v1::ModelFit& out) {
  v1::FittedParameter* p = out.add_parameters();
  p->set_name(name);
  p->set_estimate(e.value);
  if (dof <= 0 || !std::isfinite(e.std_error)) return;
  p->set_std_error(e.std_error);
  if (std::isfinite(e.ci.low) && std::isfinite(e.ci.high)) {
    p->set_ci_low(e.ci.low);
    p->set_ci_high(e.ci.high);
  }
}

void SetPeak(const std::optional<CurvePoint>& peak, double x_max,
             v1::ModelFit& out) {
  if (!peak.has_value() || !std::isfinite(peak->x) || !std::isfinite(peak->y)) {
    return;
  }
  out.set_peak_x(peak->x);
  out.set_peak_y(peak->y);
  out.set_peak_beyond_data(peak->x > x_max);
}

void SetCommon(int n, int dof, double r2, std::optional<double> aic,
               std::optional<double> aicc, double residual_se,
               v1::ModelFit& out) {
  out.set_n(n);
  out.set_dof(dof);
  SetIfPresent(r2, [&](double v) { out.set_r2(v); });
  SetIfPresent(aic, [&](double v) { out.set_aic(v); });
  SetIfPresent(aicc, [&](double v) { out.set_aicc(v); });
  if (dof > 0) {
    SetIfPresent(residual_se, [&](double v) { out.set_residual_se(v); });
  }
}

v1::CrossHostGrowth GrowthKind(const GrowthCheck& growth) {
  switch (growth.kind) {
    case GrowthCheck::Kind::kGrows:
      return v1::CROSS_HOST_GROWTH_GROWS;
    case GrowthCheck::Kind::kNotShown:
      return v1::CROSS_HOST_GROWTH_NOT_SHOWN;
    case GrowthCheck::Kind::kFalls:
      return v1::CROSS_HOST_GROWTH_FALLS;
  }
  return v1::CROSS_HOST_GROWTH_UNSPECIFIED;
}

}  // namespace

void FillModelFit(const FittedModel& fit, v1::ModelFit& out) {
  const FitStatistics s = fit.Statistics();
  SetCommon(s.n, s.dof, s.r2, s.aic, s.aicc, s.residual_se, out);
  for (const NamedEstimate& p : fit.Parameters()) {
    AddParameter(p.name, p.estimate, s.dof, out);
  }
  if (s.dof > 0) SetIfPresent(s.adj_r2, [&](double v) { out.set_adj_r2(v); });
  SetIfPresent(s.loo_rmse, [&](double v) { out.set_loo_rmse(v); });
  SetPeak(fit.Peak(), fit.x_max(), out);
  SetIfPresent(fit.Fallback(), [&](double v) { out.set_fallback_x(v); });
}

void FillCrossHost(const HeldOutTest& result, v1::ModelFit& out) {
  v1::CrossHostTest* test = out.mutable_cross_host();
  for (const HeldOutPrediction& p : result.predictions) {
    v1::PredictionCheck* check = test->add_predictions();
    check->set_x(p.x);
    check->set_measured(p.measured);
    check->set_predicted(p.predicted);
    SetIfPresent(p.relative_error,
                 [&](double v) { check->set_relative_error(v); });
    check->set_pi_low(p.prediction_interval.low);
    check->set_pi_high(p.prediction_interval.high);
    check->set_inside(p.inside);
  }
  test->set_rmse(result.rmse);
  test->set_outside(result.outside);
  test->set_miss_probability(result.miss_probability);
  test->set_predictions_hold(result.predictions_hold);
  if (result.growth.has_value()) test->set_growth(GrowthKind(*result.growth));
  test->set_holds(result.holds);
  test->set_verdict(result.verdict);
}

}  // namespace scalebench::analysis
