#include "analysis/ols.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "Eigen/Dense"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analysis/distributions.h"
#include "analysis/input_checks.h"

namespace scalebench::analysis {
namespace {

constexpr double kPi = 3.14159265358979323846;
// A fit whose residual norm is below this fraction of the total variation
// is exact up to rounding; its likelihood is unbounded.
constexpr double kPerfectFitRatio = 1e-12;
// Points with leverage above this get their leave-one-out residual from an
// explicit refit rather than from e_i / (1 - h_i).
constexpr double kRefitLeverage = 0.5;
// Smallest |R_jj| / largest |R_jj| of the scaled design's QR accepted as
// full rank.
constexpr double kRankTolerance = 1e-13;

absl::Status CheckInputs(absl::Span<const double> x, absl::Span<const double> y,
                         int degree) {
  if (degree < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("polynomial degree must be at least 1, got ", degree));
  }
  if (absl::Status status = CheckPoints(x, y); !status.ok()) return status;
  return CheckIdentifiable(
      x, degree + 1,
      degree == 1 ? std::string("a straight line")
                  : absl::StrCat("a degree-", degree, " polynomial"));
}

// Whether the QR's R has no diagonal entry below kRankTolerance times its
// largest: the design identifies every coefficient.
bool FullRank(const Eigen::HouseholderQR<Eigen::MatrixXd>& qr) {
  const Eigen::VectorXd diagonal = qr.matrixQR().diagonal().cwiseAbs();
  return diagonal.minCoeff() >= kRankTolerance * diagonal.maxCoeff();
}

// y_i minus the prediction at row i of the fit to every other row; absent
// when the other rows do not identify the polynomial.
std::optional<double> LeaveOneOutResidual(const Eigen::MatrixXd& design,
                                          const Eigen::VectorXd& response,
                                          int i) {
  const int n = static_cast<int>(design.rows());
  Eigen::MatrixXd reduced(n - 1, design.cols());
  Eigen::VectorXd reduced_response(n - 1);
  for (int r = 0, k = 0; r < n; ++r) {
    if (r == i) continue;
    reduced.row(k) = design.row(r);
    reduced_response(k++) = response(r);
  }
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(reduced);
  if (!FullRank(qr)) return std::nullopt;
  const Eigen::VectorXd beta = qr.solve(reduced_response);
  return response(i) - design.row(i).dot(beta);
}

double Binomial(int n, int k) {
  double result = 1;
  for (int i = 1; i <= k; ++i) result = result * (n - k + i) / i;
  return result;
}

}  // namespace

std::optional<double> GaussianAic(double rss, double tss, int n,
                                  int parameters) {
  if (!(rss > kPerfectFitRatio * kPerfectFitRatio * tss)) return std::nullopt;
  const int k = parameters + 1;
  const double log_likelihood =
      -0.5 * n * (std::log(2 * kPi) + std::log(rss / n) + 1.0);
  return 2.0 * k - 2.0 * log_likelihood;
}

std::optional<double> GaussianAicc(double rss, double tss, int n,
                                   int parameters) {
  const std::optional<double> aic = GaussianAic(rss, tss, n, parameters);
  const int k = parameters + 1;
  if (!aic.has_value() || n - k - 1 <= 0) return std::nullopt;
  return *aic + 2.0 * k * (k + 1) / (n - k - 1);
}

FitStatistics LeastSquaresStatistics(double rss, double tss, int n,
                                     int parameters) {
  FitStatistics s;
  s.n = n;
  s.dof = n - parameters;
  s.rss = rss;
  s.residual_se = std::sqrt(rss / s.dof);
  s.r2 = 1.0 - rss / tss;
  s.aic = GaussianAic(rss, tss, n, parameters);
  s.aicc = GaussianAicc(rss, tss, n, parameters);
  return s;
}

absl::StatusOr<PolynomialFit> PolynomialFit::Fit(absl::Span<const double> x,
                                                 absl::Span<const double> y,
                                                 int degree) {
  if (absl::Status status = CheckInputs(x, y, degree); !status.ok()) {
    return status;
  }
  const int n = static_cast<int>(x.size());
  const int p = degree + 1;
  PolynomialFit fit;
  fit.degree_ = degree;
  const auto [min_it, max_it] = std::minmax_element(x.begin(), x.end());
  fit.center_ = 0.5 * (*min_it + *max_it);
  fit.half_range_ = 0.5 * (*max_it - *min_it);

  // The design in u = (x - center) / half_range, which lies in [-1, 1].
  Eigen::MatrixXd design(n, p);
  Eigen::VectorXd response(n);
  for (int i = 0; i < n; ++i) {
    const double u = (x[i] - fit.center_) / fit.half_range_;
    double power = 1;
    for (int j = 0; j < p; ++j) {
      design(i, j) = power;
      power *= u;
    }
    response(i) = y[i];
  }
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(design);
  if (!FullRank(qr)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the x values cannot identify a degree-", degree,
        " polynomial: the design matrix is numerically rank-deficient"));
  }
  const Eigen::MatrixXd r =
      qr.matrixQR().topRows(p).triangularView<Eigen::Upper>();
  const Eigen::MatrixXd q_thin =
      qr.householderQ() * Eigen::MatrixXd::Identity(n, p);
  const Eigen::VectorXd beta =
      r.triangularView<Eigen::Upper>().solve(q_thin.transpose() * response);
  const Eigen::MatrixXd r_inverse =
      r.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(p, p));
  const Eigen::VectorXd residuals = response - design * beta;

  fit.scaled_.assign(beta.data(), beta.data() + p);
  fit.r_inverse_.resize(p * p);
  for (int i = 0; i < p; ++i) {
    for (int j = 0; j < p; ++j) fit.r_inverse_[i * p + j] = r_inverse(i, j);
  }

  const double mean_y = response.mean();
  const double tss = (response.array() - mean_y).square().sum();
  const double rss = residuals.squaredNorm();
  const int dof = n - p;
  fit.stats_ = LeastSquaresStatistics(rss, tss, n, p);
  fit.stats_.adj_r2 = 1.0 - (1.0 - fit.stats_.r2) * (n - 1) / dof;
  fit.t_critical_ = StudentTQuantile(0.5 + 0.5 * kConfidenceLevel, dof);

  // Back to powers of x: with x = c + s u, u^j = ((x - c) / s)^j, so
  // b_k = sum_{j >= k} beta_j C(j, k) (-c)^(j - k) / s^j, i.e. b = T beta,
  // and Cov(b) = s^2 T R^-1 R^-T T'.
  Eigen::MatrixXd to_powers_of_x = Eigen::MatrixXd::Zero(p, p);
  for (int k = 0; k < p; ++k) {
    for (int j = k; j < p; ++j) {
      to_powers_of_x(k, j) = Binomial(j, k) * std::pow(-fit.center_, j - k) /
                             std::pow(fit.half_range_, j);
    }
  }
  const Eigen::VectorXd b = to_powers_of_x * beta;
  const Eigen::MatrixXd root_covariance = to_powers_of_x * r_inverse;
  fit.coefficients_.resize(p);
  for (int k = 0; k < p; ++k) {
    Estimate& estimate = fit.coefficients_[k];
    estimate.value = b(k);
    estimate.std_error = fit.stats_.residual_se * root_covariance.row(k).norm();
    estimate.ci = {estimate.value - fit.t_critical_ * estimate.std_error,
                   estimate.value + fit.t_critical_ * estimate.std_error};
  }

  // Leave-one-out residuals from the hat matrix: e_i / (1 - h_i). For a
  // high-leverage point both e_i and 1 - h_i are small and cancel badly,
  // so it is refitted without the point instead (at most 2p points have
  // h_i > 1/2); when that fit is not identified, LOO is undefined.
  double loo_sum = 0;
  bool loo_defined = true;
  for (int i = 0; i < n && loo_defined; ++i) {
    const double leverage = q_thin.row(i).squaredNorm();
    double loo_residual = residuals(i) / (1.0 - leverage);
    if (leverage > kRefitLeverage) {
      const std::optional<double> refit =
          LeaveOneOutResidual(design, response, i);
      loo_defined = refit.has_value();
      loo_residual = refit.value_or(0.0);
    }
    loo_sum += loo_residual * loo_residual;
  }
  if (loo_defined) fit.stats_.loo_rmse = std::sqrt(loo_sum / n);
  return fit;
}

double PolynomialFit::Evaluate(double x) const {
  const double u = (x - center_) / half_range_;
  double value = 0;
  for (auto it = scaled_.rbegin(); it != scaled_.rend(); ++it) {
    value = value * u + *it;
  }
  return value;
}

double PolynomialFit::Leverage(double x) const {
  const int p = degree_ + 1;
  const double u = (x - center_) / half_range_;
  std::vector<double> powers(p);
  double power = 1;
  for (int j = 0; j < p; ++j) {
    powers[j] = power;
    power *= u;
  }
  // || R^-T v ||^2: component j is sum_i R^-1(i, j) v_i.
  double sum = 0;
  for (int j = 0; j < p; ++j) {
    double component = 0;
    for (int i = 0; i <= j; ++i) component += r_inverse_[i * p + j] * powers[i];
    sum += component * component;
  }
  return sum;
}

Prediction PolynomialFit::Predict(double x) const {
  const double leverage = Leverage(x);
  const double fitted = Evaluate(x);
  const double mean_half =
      t_critical_ * stats_.residual_se * std::sqrt(leverage);
  const double new_half =
      t_critical_ * stats_.residual_se * std::sqrt(1.0 + leverage);
  return {x,
          fitted,
          {fitted - mean_half, fitted + mean_half},
          {fitted - new_half, fitted + new_half}};
}

}  // namespace scalebench::analysis
