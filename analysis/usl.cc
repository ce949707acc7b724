#include "analysis/usl.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "Eigen/Dense"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analysis/distributions.h"
#include "analysis/input_checks.h"
#include "analysis/ols.h"

namespace scalebench::analysis {
namespace {

// Parameter order in every vector below.
constexpr int kLambda = 0;
constexpr int kSigma = 1;
constexpr int kKappa = 2;

// The starting grid: sigma from 0 and log-spaced over [1e-4, 0.9]; kappa
// from 0 and log-spaced so that kappa N_max^2 spans [1e-4, 1e2].
constexpr int kSigmaGridPoints = 16;
constexpr double kSigmaGridLow = 1e-4;
constexpr double kSigmaGridHigh = 0.9;
constexpr int kKappaGridPoints = 19;
constexpr double kKappaGridLow = 1e-4;
constexpr double kKappaGridHigh = 1e2;
// Levenberg-Marquardt runs from this many of the best grid points.
constexpr int kStarts = 4;
constexpr int kMaxIterations = 1000;
constexpr double kInitialDamping = 1e-3;
constexpr double kMaxDamping = 1e20;
// A step that lowers the RSS by less than this fraction ends the run.
constexpr double kRelativeImprovement = 1e-15;
// Smallest singular value of the column-normalized Jacobian, relative to
// the largest, accepted as identifying every parameter.
constexpr double kIdentifiabilityTolerance = 1e-10;

struct Data {
  std::vector<double> n;
  std::vector<double> y;
  int parameters;  // 3 (USL) or 2 (Amdahl: no kappa)
};

double Kappa(const Eigen::VectorXd& p) {
  return p.size() > kKappa ? p(kKappa) : 0.0;
}

double Model(const Eigen::VectorXd& p, double n) {
  return p(kLambda) * n / (1 + p(kSigma) * (n - 1) + Kappa(p) * n * (n - 1));
}

// Residuals model - y.
Eigen::VectorXd Residuals(const Data& data, const Eigen::VectorXd& p) {
  Eigen::VectorXd r(data.n.size());
  for (size_t i = 0; i < data.n.size(); ++i) {
    r(i) = Model(p, data.n[i]) - data.y[i];
  }
  return r;
}

Eigen::MatrixXd Jacobian(const Data& data, const Eigen::VectorXd& p) {
  Eigen::MatrixXd jacobian(data.n.size(), data.parameters);
  for (size_t i = 0; i < data.n.size(); ++i) {
    const double n = data.n[i];
    const double denominator = 1 + p(kSigma) * (n - 1) + Kappa(p) * n * (n - 1);
    const double d2 = denominator * denominator;
    jacobian(i, kLambda) = n / denominator;
    jacobian(i, kSigma) = -p(kLambda) * n * (n - 1) / d2;
    if (data.parameters > kKappa) {
      jacobian(i, kKappa) = -p(kLambda) * n * n * (n - 1) / d2;
    }
  }
  return jacobian;
}

// For fixed sigma and kappa the model is linear in lambda: the best lambda
// is sum(y g) / sum(g^2) with g = N / denominator. Returns the RSS and sets
// p(kLambda).
double ProfileLambda(const Data& data, Eigen::VectorXd& p) {
  double gy = 0;
  double gg = 0;
  for (size_t i = 0; i < data.n.size(); ++i) {
    const double n = data.n[i];
    const double g = n / (1 + p(kSigma) * (n - 1) + Kappa(p) * n * (n - 1));
    gy += g * data.y[i];
    gg += g * g;
  }
  p(kLambda) = gy / gg;
  return Residuals(data, p).squaredNorm();
}

std::vector<double> GridWithZero(double low, double high, int points) {
  std::vector<double> grid = {0.0};
  for (int i = 0; i < points; ++i) {
    grid.push_back(low *
                   std::pow(high / low, static_cast<double>(i) / (points - 1)));
  }
  return grid;
}

// The kStarts grid points with the lowest RSS, best first.
std::vector<Eigen::VectorXd> StartingPoints(const Data& data) {
  const double n_max = *std::max_element(data.n.begin(), data.n.end());
  const std::vector<double> sigmas =
      GridWithZero(kSigmaGridLow, kSigmaGridHigh, kSigmaGridPoints);
  const std::vector<double> kappas =
      data.parameters > kKappa
          ? GridWithZero(kKappaGridLow / (n_max * n_max),
                         kKappaGridHigh / (n_max * n_max), kKappaGridPoints)
          : std::vector<double>{0.0};
  std::vector<std::pair<double, Eigen::VectorXd>> scored;
  for (double sigma : sigmas) {
    for (double kappa : kappas) {
      Eigen::VectorXd p(data.parameters);
      p(kSigma) = sigma;
      if (data.parameters > kKappa) p(kKappa) = kappa;
      const double rss = ProfileLambda(data, p);
      if (std::isfinite(rss)) scored.emplace_back(rss, p);
    }
  }
  const size_t keep = std::min<size_t>(kStarts, scored.size());
  std::partial_sort(
      scored.begin(), scored.begin() + keep, scored.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Eigen::VectorXd> starts;
  for (size_t i = 0; i < keep; ++i) starts.push_back(scored[i].second);
  return starts;
}

struct Solution {
  Eigen::VectorXd p;
  double rss = 0;
  int iterations = 0;
};

// Levenberg-Marquardt with Marquardt's diagonal scaling, sigma and kappa
// held >= 0 by projection; a parameter on its bound whose gradient points
// outward is held fixed for that step. Each step solves the damped problem
// [J; sqrt(mu D)] delta = [-r; 0] by QR, never forming J'J.
Solution Minimize(const Data& data, Eigen::VectorXd p) {
  Eigen::VectorXd r = Residuals(data, p);
  double rss = r.squaredNorm();
  double damping = kInitialDamping;
  int iteration = 0;
  for (; iteration < kMaxIterations; ++iteration) {
    const Eigen::MatrixXd jacobian = Jacobian(data, p);
    const Eigen::VectorXd gradient = jacobian.transpose() * r;
    std::vector<int> free_params;
    for (int j = 0; j < data.parameters; ++j) {
      const bool at_bound = j != kLambda && p(j) <= 0 && gradient(j) > 0;
      if (!at_bound) free_params.push_back(j);
    }
    const int m = static_cast<int>(free_params.size());
    const int rows = static_cast<int>(data.n.size());
    bool improved = false;
    double new_rss = rss;
    while (damping <= kMaxDamping) {
      Eigen::MatrixXd system = Eigen::MatrixXd::Zero(rows + m, m);
      Eigen::VectorXd rhs = Eigen::VectorXd::Zero(rows + m);
      for (int k = 0; k < m; ++k) {
        system.block(0, k, rows, 1) = jacobian.col(free_params[k]);
        const double scale =
            std::max(jacobian.col(free_params[k]).squaredNorm(),
                     std::numeric_limits<double>::min());
        system(rows + k, k) = std::sqrt(damping * scale);
      }
      rhs.head(rows) = -r;
      const Eigen::VectorXd delta = system.colPivHouseholderQr().solve(rhs);
      Eigen::VectorXd candidate = p;
      for (int k = 0; k < m; ++k) candidate(free_params[k]) += delta(k);
      for (int j = kSigma; j < data.parameters; ++j) {
        candidate(j) = std::max(candidate(j), 0.0);
      }
      const Eigen::VectorXd candidate_r = Residuals(data, candidate);
      const double candidate_rss = candidate_r.squaredNorm();
      if (std::isfinite(candidate_rss) && candidate_rss < rss) {
        p = candidate;
        r = candidate_r;
        new_rss = candidate_rss;
        damping = std::max(damping / 3, 1e-12);
        improved = true;
        break;
      }
      damping *= 4;
    }
    if (!improved) break;
    const bool tiny_gain = rss - new_rss <= kRelativeImprovement * rss;
    rss = new_rss;
    if (tiny_gain) break;
  }
  return {p, rss, iteration};
}

}  // namespace

absl::StatusOr<UslFit> UslFit::Fit(absl::Span<const double> n,
                                   absl::Span<const double> throughput,
                                   ScalabilityModel model) {
  const bool usl = model == ScalabilityModel::kUsl;
  const char* name = usl ? "the USL" : "Amdahl's law";
  if (absl::Status status = CheckPoints(n, throughput); !status.ok()) {
    return status;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    if (n[i] <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("x = ", n[i], " at point ", i + 1, ": ", name,
                       " needs positive x (instance or processor counts)"));
    }
    if (throughput[i] <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "non-positive throughput y = ", throughput[i], " at point ", i + 1,
          ": ", name, " models positive throughput"));
    }
  }
  UslFit fit;
  fit.model_ = model;
  const int points = static_cast<int>(n.size());
  const int parameters = fit.parameters();
  // First: it refuses too few points, and an empty span has no maximum.
  if (absl::Status status = CheckIdentifiable(n, parameters, name);
      !status.ok()) {
    return status;
  }
  fit.n_max_ = *std::max_element(n.begin(), n.end());

  const Data data{std::vector<double>(n.begin(), n.end()),
                  std::vector<double>(throughput.begin(), throughput.end()),
                  parameters};
  Solution best;
  best.rss = std::numeric_limits<double>::infinity();
  for (const Eigen::VectorXd& start : StartingPoints(data)) {
    Solution solution = Minimize(data, start);
    if (solution.rss < best.rss) best = std::move(solution);
  }
  if (!std::isfinite(best.rss) || best.p.size() != parameters) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " could not be fitted to these data"));
  }

  // Covariance s^2 (J'J)^-1 from the SVD of the column-normalized Jacobian:
  // J = Js C, so (J'J)^-1 = C^-1 V S^-2 V' C^-1.
  const Eigen::MatrixXd jacobian = Jacobian(data, best.p);
  const Eigen::VectorXd column_norms = jacobian.colwise().norm();
  if (column_norms.minCoeff() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("these data cannot identify every parameter of ", name));
  }
  const Eigen::MatrixXd normalized =
      jacobian * column_norms.cwiseInverse().asDiagonal();
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(normalized, Eigen::ComputeThinV);
  const Eigen::VectorXd singular = svd.singularValues();
  if (singular(parameters - 1) < kIdentifiabilityTolerance * singular(0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "these data cannot separate the parameters of ", name,
        " (the Jacobian at the optimum is singular); measure more distinct "
        "x values"));
  }
  const Eigen::MatrixXd v_scaled =
      svd.matrixV() * singular.cwiseInverse().asDiagonal();
  const Eigen::MatrixXd unscaled_inverse =
      column_norms.cwiseInverse().asDiagonal() * v_scaled *
      v_scaled.transpose() * column_norms.cwiseInverse().asDiagonal();

  const int dof = points - parameters;
  double mean = 0;
  for (double y : throughput) mean += y;
  mean /= points;
  double tss = 0;
  for (double y : throughput) tss += (y - mean) * (y - mean);
  fit.stats_ = LeastSquaresStatistics(best.rss, tss, points, parameters);
  fit.iterations_ = best.iterations;

  const double t = StudentTQuantile(0.5 + 0.5 * kConfidenceLevel, dof);
  auto estimate = [&](int j) {
    Estimate e;
    e.value = best.p(j);
    e.std_error = fit.stats_.residual_se * std::sqrt(unscaled_inverse(j, j));
    e.ci = {e.value - t * e.std_error, e.value + t * e.std_error};
    return e;
  };
  fit.t_critical_ = t;
  for (int i = 0; i < parameters; ++i) {
    for (int j = 0; j < parameters; ++j) {
      fit.unscaled_covariance_.push_back(unscaled_inverse(i, j));
    }
  }
  fit.lambda_ = estimate(kLambda);
  fit.sigma_ = estimate(kSigma);
  if (usl) fit.kappa_ = estimate(kKappa);
  return fit;
}

double UslFit::Evaluate(double n) const {
  return lambda_.value * n /
         (1 + sigma_.value * (n - 1) + kappa_.value * n * (n - 1));
}

Prediction UslFit::Predict(double n) const {
  const double denominator =
      1 + sigma_.value * (n - 1) + kappa_.value * n * (n - 1);
  const double d2 = denominator * denominator;
  const double lambda = lambda_.value;
  // The gradient of X(N) in (lambda, sigma[, kappa]), as Jacobian() has it.
  const double gradient[3] = {n / denominator, -lambda * n * (n - 1) / d2,
                              -lambda * n * n * (n - 1) / d2};
  const int k = parameters();
  double quadratic = 0;
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < k; ++j) {
      quadratic += gradient[i] * unscaled_covariance_[i * k + j] * gradient[j];
    }
  }
  Prediction p;
  p.x = n;
  p.fitted = lambda * n / denominator;
  const double mean_half =
      t_critical_ * stats_.residual_se * std::sqrt(std::max(quadratic, 0.0));
  const double new_half = t_critical_ * stats_.residual_se *
                          std::sqrt(1 + std::max(quadratic, 0.0));
  p.mean_ci = {p.fitted - mean_half, p.fitted + mean_half};
  p.prediction = {p.fitted - new_half, p.fitted + new_half};
  return p;
}

}  // namespace scalebench::analysis
