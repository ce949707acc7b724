// Ordinary least squares for polynomials y = b0 + b1 x + ... + bD x^D (the
// straight line is degree 1), with the statistics scalebench reports for
// them: standard errors, 95% intervals, R^2, AIC/AICc, leave-one-out error,
// and confidence and prediction intervals at any x.
//
// A PolynomialFit is immutable once made; concurrent const use is safe.
#ifndef SCALEBENCH_ANALYSIS_OLS_H_
#define SCALEBENCH_ANALYSIS_OLS_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "analysis/estimate.h"

namespace scalebench::analysis {

class PolynomialFit final {
 public:
  // Fits a polynomial of `degree` >= 1 to the points (x[i], y[i]). Points
  // that repeat an x (repetitions) are used as they are. The fit is computed
  // by Householder QR on x mapped to [-1, 1], so x in the thousands with
  // degree 3 loses no more precision than the problem itself demands.
  //
  // INVALID_ARGUMENT, naming the problem, when: the spans differ in length;
  // a value is not finite; there are fewer than degree + 2 points (the fit
  // needs one residual degree of freedom); fewer than degree + 1 distinct
  // x values (all x equal, for a line); all y are equal; or the design is
  // numerically rank-deficient.
  static absl::StatusOr<PolynomialFit> Fit(absl::Span<const double> x,
                                           absl::Span<const double> y,
                                           int degree);

  int degree() const { return degree_; }
  // n, dof, rss, residual_se, r2, adj_r2, aic, aicc and loo_rmse, which
  // the accessors below return one by one.
  const FitStatistics& statistics() const { return stats_; }
  // Number of points fitted.
  int n() const { return stats_.n; }
  // Residual degrees of freedom: n - (degree + 1).
  int dof() const { return stats_.dof; }

  // b0 .. bD in ascending powers of x, each with its standard error and a
  // 95% Student-t interval on dof() degrees of freedom.
  const std::vector<Estimate>& coefficients() const { return coefficients_; }

  // Residual sum of squares.
  double rss() const { return stats_.rss; }
  // sqrt(rss / dof): the estimate of the noise's standard deviation.
  double residual_se() const { return stats_.residual_se; }
  double r2() const { return stats_.r2; }
  // 1 - (1 - R^2) (n - 1) / dof.
  double adj_r2() const { return stats_.adj_r2.value_or(0); }
  // 2k - 2 ln L with the Gaussian likelihood at sigma^2 = rss / n and
  // k = degree + 2 (the coefficients and the variance). Absent for a
  // perfect fit (residuals at rounding level), where L is unbounded.
  std::optional<double> aic() const { return stats_.aic; }
  // AIC + 2k(k + 1) / (n - k - 1). Also absent when n <= k + 1.
  std::optional<double> aicc() const { return stats_.aicc; }
  // Root mean square of the leave-one-out prediction errors e_i / (1 - h_i).
  // Absent when some point has leverage 1: without it, the polynomial is
  // not identified.
  std::optional<double> loo_rmse() const { return stats_.loo_rmse; }

  // The range of x fitted.
  double x_min() const { return center_ - half_range_; }
  double x_max() const { return center_ + half_range_; }

  // The fitted value at x.
  double Evaluate(double x) const;
  // The fitted value at x and its 95% confidence and prediction intervals.
  Prediction Predict(double x) const;

  // The fit in the variable u = (x - center()) / half_range(), in which it
  // was computed: coefficients of 1, u, u^2, ... Better conditioned than
  // coefficients() for root finding.
  const std::vector<double>& scaled_coefficients() const { return scaled_; }
  double center() const { return center_; }
  double half_range() const { return half_range_; }

 private:
  PolynomialFit() = default;

  // v' (X'X)^-1 v for v = (1, u, u^2, ...) at x.
  double Leverage(double x) const;

  int degree_ = 0;
  double center_ = 0;
  double half_range_ = 1;
  std::vector<double> scaled_;
  // R^-1 from the QR of the scaled design, row-major, (degree + 1)^2.
  std::vector<double> r_inverse_;
  double t_critical_ = 0;
  std::vector<Estimate> coefficients_;
  FitStatistics stats_;
};

// AIC = 2k - 2 ln L for a Gaussian model with `parameters` fitted
// coefficients, at the maximum-likelihood variance rss / n; k counts the
// variance too. Absent for a perfect fit: rss at rounding level relative
// to the total sum of squares `tss`, where L is unbounded. Shared by the
// linear and nonlinear fits so that their AICs compare.
std::optional<double> GaussianAic(double rss, double tss, int n,
                                  int parameters);
// AIC + 2k(k + 1) / (n - k - 1); absent when the AIC is, or n <= k + 1.
std::optional<double> GaussianAicc(double rss, double tss, int n,
                                   int parameters);

// The statistics every least-squares fit of `parameters` coefficients to
// n points shares, from its residual and total sums of squares: n, dof =
// n - parameters (> 0), rss, residual_se, r2 = 1 - rss / tss, aic and aicc.
// adj_r2 and loo_rmse are left to the fit.
FitStatistics LeastSquaresStatistics(double rss, double tss, int n,
                                     int parameters);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_OLS_H_
