// Small value types shared by the analysis library: an interval, a
// parameter estimate with its standard error and confidence interval, and
// the statistics of a least-squares fit.
// Plain data; thread-compatible.
#ifndef SCALEBENCH_ANALYSIS_ESTIMATE_H_
#define SCALEBENCH_ANALYSIS_ESTIMATE_H_

#include <optional>

namespace scalebench::analysis {

// Every interval the library reports has this coverage.
inline constexpr double kConfidenceLevel = 0.95;

// A closed interval [low, high].
struct Interval {
  double low = 0;
  double high = 0;

  bool Contains(double value) const { return low <= value && value <= high; }
};

// A fitted parameter.
struct Estimate {
  double value = 0;
  // Standard error from the fit's covariance matrix.
  double std_error = 0;
  // kConfidenceLevel interval: value -/+ t(dof) * std_error.
  Interval ci;
};

// The fitted curve at one x, with its two 95% intervals. For a polynomial
// (ols.h) with v = (1, x, x^2, ...) and design X; for the USL (usl.h) to
// first order (the delta method), with v the gradient of the curve in its
// parameters at x and X the Jacobian at the optimum.
struct Prediction {
  double x = 0;
  double fitted = 0;
  // For the mean response at x: fitted -/+ t * s * sqrt(v' (X'X)^-1 v).
  Interval mean_ci;
  // For one new observation at x: fitted -/+ t * s * sqrt(1 + v' (X'X)^-1 v).
  Interval prediction;
};

// How well a least-squares fit fits its points; a statistic that does not
// exist for a fit is absent.
struct FitStatistics {
  // Points fitted.
  int n = 0;
  // Residual degrees of freedom: n minus the parameters fitted.
  int dof = 0;
  // Residual sum of squares.
  double rss = 0;
  // sqrt(rss / dof): the estimate of the noise's standard deviation.
  double residual_se = 0;
  double r2 = 0;
  // 1 - (1 - R^2) (n - 1) / dof, for linear models.
  std::optional<double> adj_r2;
  // Gaussian AIC and AICc (GaussianAic in ols.h).
  std::optional<double> aic;
  std::optional<double> aicc;
  // Leave-one-out root mean square error, where a model has it.
  std::optional<double> loo_rmse;
};

// A point on a fitted curve.
struct CurvePoint {
  double x = 0;
  double y = 0;
};

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_ESTIMATE_H_
