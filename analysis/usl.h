// Gunther's Universal Scalability Law,
//   X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1)),
// and Amdahl's law (the same with kappa = 0), fitted to throughput
// measurements by bounded Levenberg-Marquardt least squares.
//
// A UslFit is immutable once made; concurrent const use is safe.
#ifndef SCALEBENCH_ANALYSIS_USL_H_
#define SCALEBENCH_ANALYSIS_USL_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "analysis/estimate.h"

namespace scalebench::analysis {

enum class ScalabilityModel {
  // lambda, sigma and kappa free (sigma, kappa >= 0).
  kUsl,
  // lambda and sigma free (sigma >= 0), kappa fixed at 0.
  kAmdahl,
};

class UslFit final {
 public:
  // Fits `model` to the points (n[i], throughput[i]); points that repeat an
  // N (repetitions) are used as they are. Starting values come from the
  // data: a grid over sigma and kappa with the best lambda for each in
  // closed form; Levenberg-Marquardt then runs from the best few and the
  // lowest residual sum of squares wins. Standard errors come from the
  // Jacobian J at the optimum, Cov = s^2 (J'J)^-1 with s^2 = RSS / dof,
  // also for a parameter that sits on its bound of 0 (as R's nls and
  // scipy's least_squares report it).
  //
  // INVALID_ARGUMENT, naming the problem, when: the spans differ in length;
  // a value is not finite; some N <= 0; some throughput <= 0; there are
  // fewer points than parameters + 1, or fewer distinct N than parameters;
  // all throughputs are equal; or the data cannot separate the parameters
  // (a singular Jacobian at the optimum).
  static absl::StatusOr<UslFit> Fit(absl::Span<const double> n,
                                    absl::Span<const double> throughput,
                                    ScalabilityModel model);

  ScalabilityModel model() const { return model_; }
  // n, dof, rss, residual_se, r2, aic and aicc (no adj_r2 or loo_rmse),
  // which the accessors below return one by one.
  const FitStatistics& statistics() const { return stats_; }
  // Number of points fitted.
  int n() const { return stats_.n; }
  // The largest N among them: a peak beyond it is an extrapolation.
  double n_max() const { return n_max_; }
  // Free parameters: 3 for the USL, 2 for Amdahl.
  int parameters() const { return model_ == ScalabilityModel::kUsl ? 3 : 2; }
  // Residual degrees of freedom: n - parameters.
  int dof() const { return stats_.dof; }

  // Throughput at N = 1 (the slope of ideal linear scaling).
  const Estimate& lambda() const { return lambda_; }
  // Contention.
  const Estimate& sigma() const { return sigma_; }
  // Coherency; for Amdahl exactly 0 with standard error 0.
  const Estimate& kappa() const { return kappa_; }

  double rss() const { return stats_.rss; }
  double residual_se() const { return stats_.residual_se; }
  double r2() const { return stats_.r2; }
  // As for polynomials (see GaussianAic in ols.h), k = parameters + 1.
  std::optional<double> aic() const { return stats_.aic; }
  std::optional<double> aicc() const { return stats_.aicc; }
  // Levenberg-Marquardt iterations of the winning run.
  int iterations() const { return iterations_; }

  // X(N) with the fitted parameters.
  double Evaluate(double n) const;
  // X(N) with its 95% confidence interval for the mean and prediction
  // interval for one new measurement, by the delta method: with g the
  // gradient of X(N) in the free parameters at the optimum and Cov =
  // s^2 (J'J)^-1 the covariance the standard errors come from, X(N) -/+
  // t(dof) sqrt(g' Cov g) and -/+ t(dof) sqrt(s^2 + g' Cov g). A
  // first-order approximation, as R's nls-based tools give; it is exact
  // for lambda alone (at N = 1 the mean interval is lambda's).
  Prediction Predict(double n) const;

 private:
  UslFit() = default;

  ScalabilityModel model_ = ScalabilityModel::kUsl;
  double n_max_ = 0;
  Estimate lambda_;
  Estimate sigma_;
  Estimate kappa_;
  FitStatistics stats_;
  int iterations_ = 0;
  // (J'J)^-1 over the free parameters (lambda, sigma[, kappa]), row-major,
  // and t(0.975, dof).
  std::vector<double> unscaled_covariance_;
  double t_critical_ = 0;
};

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_USL_H_
