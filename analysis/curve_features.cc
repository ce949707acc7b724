#include "analysis/curve_features.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include "Eigen/Dense"

namespace scalebench::analysis {
namespace {

// Leading coefficients below this fraction of the largest are dropped.
constexpr double kNegligibleCoefficient = 1e-14;
// An eigenvalue is real when its imaginary part is below this, relative.
constexpr double kRealTolerance = 1e-7;
constexpr int kPolishSteps = 3;

double Horner(const std::vector<double>& ascending, double u) {
  double value = 0;
  for (auto it = ascending.rbegin(); it != ascending.rend(); ++it) {
    value = value * u + *it;
  }
  return value;
}

std::vector<double> Derivative(const std::vector<double>& ascending) {
  std::vector<double> d;
  for (size_t j = 1; j < ascending.size(); ++j) {
    d.push_back(j * ascending[j]);
  }
  return d;
}

// The real roots of the polynomial with these ascending coefficients,
// from the eigenvalues of its companion matrix, polished by Newton steps.
std::vector<double> RealRoots(std::vector<double> c) {
  double largest = 0;
  for (double v : c) largest = std::max(largest, std::fabs(v));
  while (!c.empty() &&
         std::fabs(c.back()) <= kNegligibleCoefficient * largest) {
    c.pop_back();
  }
  const int degree = static_cast<int>(c.size()) - 1;
  if (degree < 1) return {};
  std::vector<double> roots;
  if (degree == 1) {
    roots.push_back(-c[0] / c[1]);
  } else {
    Eigen::MatrixXd companion = Eigen::MatrixXd::Zero(degree, degree);
    for (int i = 1; i < degree; ++i) companion(i, i - 1) = 1;
    for (int i = 0; i < degree; ++i)
      companion(i, degree - 1) = -c[i] / c[degree];
    const Eigen::EigenSolver<Eigen::MatrixXd> solver(companion, false);
    for (const std::complex<double>& z : solver.eigenvalues()) {
      if (std::fabs(z.imag()) <= kRealTolerance * std::max(1.0, std::abs(z))) {
        roots.push_back(z.real());
      }
    }
  }
  const std::vector<double> slope = Derivative(c);
  for (double& root : roots) {
    for (int i = 0; i < kPolishSteps; ++i) {
      const double d = Horner(slope, root);
      if (d == 0) break;
      root -= Horner(c, root) / d;
    }
  }
  std::sort(roots.begin(), roots.end());
  return roots;
}

}  // namespace

std::optional<CurvePoint> Peak(const PolynomialFit& fit) {
  // Work in u = (x - center) / half_range, where the fit is well scaled.
  const std::vector<double>& q = fit.scaled_coefficients();
  const std::vector<double> slope = Derivative(q);
  const std::vector<double> curvature = Derivative(slope);
  std::optional<CurvePoint> best;
  for (double u : RealRoots(slope)) {
    const double x = fit.center() + fit.half_range() * u;
    if (x < fit.x_min() || Horner(curvature, u) >= 0) continue;
    const double y = fit.Evaluate(x);
    if (!best.has_value() || y > best->y) best = CurvePoint{x, y};
  }
  return best;
}

std::optional<CurvePoint> Peak(const UslFit& fit) {
  const double sigma = fit.sigma().value;
  const double kappa = fit.kappa().value;
  if (!(kappa > 0) || !(sigma < 1)) return std::nullopt;
  const double n = std::sqrt((1 - sigma) / kappa);
  return CurvePoint{n, fit.Evaluate(n)};
}

std::optional<double> FallbackPoint(const PolynomialFit& fit, double x_ref) {
  const double u_ref = (x_ref - fit.center()) / fit.half_range();
  std::vector<double> shifted = fit.scaled_coefficients();
  const double y_ref = Horner(shifted, u_ref);
  shifted[0] -= y_ref;
  // x_ref itself is a root; the answer is the next one, if the curve was
  // above y_ref on the way there.
  const double tolerance = 1e-9 * (1 + std::fabs(u_ref));
  for (double u : RealRoots(shifted)) {
    if (u <= u_ref + tolerance) continue;
    const double midpoint = 0.5 * (u + u_ref);
    if (Horner(shifted, midpoint) <= 0) return std::nullopt;
    return fit.center() + fit.half_range() * u;
  }
  return std::nullopt;
}

std::optional<double> FallbackPoint(const UslFit& fit, double n_ref) {
  const double sigma = fit.sigma().value;
  const double kappa = fit.kappa().value;
  if (!(kappa > 0) || !(sigma < 1) || !(n_ref > 0)) return std::nullopt;
  // lambda N = X(n_ref) (1 + sigma (N - 1) + kappa N (N - 1)) is a
  // quadratic in N with roots n_ref and, by Vieta, (1 - sigma) / (kappa
  // n_ref).
  const double n = (1 - sigma) / (kappa * n_ref);
  if (!(n > n_ref)) return std::nullopt;
  return n;
}

}  // namespace scalebench::analysis
