#include "analysis/distributions.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace scalebench::analysis {
namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;
// Stands in for zero in the continued fraction's denominators.
constexpr double kTiny = 1e-300;
// The continued fraction needs O(sqrt(max(a, b))) terms near its switch
// point; this bounds the work for absurd arguments.
constexpr int kMaxContinuedFractionTerms = 200000;
// From here on, ln Gamma(a) - ln Gamma(a + b) comes from the difference of
// two Stirling series rather than from two large lgamma values.
constexpr double kStirlingThreshold = 10.0;
// Beyond this many degrees of freedom Student's t is the normal to better
// than 1e-7 relative in its quantiles.
constexpr double kNormalLimitDof = 1e7;
constexpr int kMaxRootIterations = 400;
// Tail probabilities below this are solved on the upper tail, larger ones
// on the central probability.
constexpr double kCentralSwitch = 0.25;

// ln Gamma(z) - [(z - 1/2) ln z - z + ln(2 pi) / 2] for z >= 10: the
// Stirling series through its z^-9 term (error below 1e-13).
double StirlingRemainder(double z) {
  const double r = 1.0 / z;
  const double r2 = r * r;
  return r *
         (1.0 / 12 -
          r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))));
}

// ln Gamma(a) - ln Gamma(a + b) for a >= kStirlingThreshold, b > 0,
// without the cancellation of subtracting two large lgamma values.
double LogGammaDifference(double a, double b) {
  return -(a - 0.5) * std::log1p(b / a) - b * std::log(a + b) + b +
         StirlingRemainder(a) - StirlingRemainder(a + b);
}

// ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b).
double LogBeta(double a, double b) {
  const double lo = std::min(a, b);
  const double hi = std::max(a, b);
  if (hi >= kStirlingThreshold) {
    return std::lgamma(lo) + LogGammaDifference(hi, lo);
  }
  return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
}

// I_x(a, b) by its continued fraction, for x below the switch point
// (a + 1) / (a + b + 2), where it converges quickly. y = 1 - x and the
// logarithms of both come from the caller, who may know them more
// accurately than log(x) of a rounded x (a ln x is large when a is).
double IncompleteBetaFraction(double a, double b, double x, double log_x,
                              double log_y) {
  // I_x(a, b) = x^a y^b / (a B(a, b)) / (1 + d1 / (1 + d2 / (1 + ...))),
  //   d(2m+1) = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
  //   d(2m)   = m (b - m) x / ((a + 2m - 1)(a + 2m)).
  // The denominator is evaluated by the modified Lentz method.
  const double front = std::exp(a * log_x + b * log_y - LogBeta(a, b)) / a;
  double f = 1.0;
  double c = 1.0;
  double d = 0.0;
  for (int j = 1; j <= kMaxContinuedFractionTerms; ++j) {
    const int m = j / 2;
    double term;
    if (j % 2 == 1) {
      term = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
    } else {
      term = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
    }
    d = 1.0 + term * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + term / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = c * d;
    f *= delta;
    if (std::fabs(delta - 1.0) <= kEpsilon) break;
  }
  return front / f;
}

// I_x(a, b) with y = 1 - x and the logarithms of x and y given.
double IncompleteBeta(double a, double b, double x, double y, double log_x,
                      double log_y) {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(y >= 0)) return kNaN;
  if (x == 0) return 0.0;
  if (y == 0) return 1.0;
  if (x < (a + 1) / (a + b + 2)) {
    return IncompleteBetaFraction(a, b, x, log_x, log_y);
  }
  return 1.0 - IncompleteBetaFraction(b, a, y, log_y, log_x);
}

double IncompleteBeta(double a, double b, double x, double y) {
  return IncompleteBeta(a, b, x, y, std::log(x), std::log(y));
}

// P(T >= t) for t >= 0 and T ~ Student's t with `dof` degrees of freedom:
// I_x(dof / 2, 1 / 2) / 2 with x = dof / (dof + t^2).
double StudentTUpperTail(double t, double dof) {
  const double t2 = t * t;
  const double denominator = dof + t2;
  return 0.5 * IncompleteBeta(0.5 * dof, 0.5, dof / denominator,
                              t2 / denominator, -std::log1p(t2 / dof),
                              2 * std::log(t) - std::log(denominator));
}

// P(|T| <= t) for t >= 0: I_y(1 / 2, dof / 2) with y = t^2 / (dof + t^2).
// Accurate for small t, where 1 - 2 UpperTail(t) would cancel.
double StudentTCentral(double t, double dof) {
  const double t2 = t * t;
  const double denominator = dof + t2;
  return IncompleteBeta(0.5, 0.5 * dof, t2 / denominator, dof / denominator,
                        2 * std::log(t) - std::log(denominator),
                        -std::log1p(t2 / dof));
}

// The z > 0 with P(Z >= z) = q, for 0 < q <= 1/2.
double NormalUpperQuantile(double q) {
  // Start from Abramowitz and Stegun 26.2.23 (error below 4.5e-4), then
  // polish with Halley steps on the lower tail, which erfc gives accurately.
  const double s = std::sqrt(-2.0 * std::log(q));
  double x = -(s - (2.515517 + s * (0.802853 + s * 0.010328)) /
                       (1.0 + s * (1.432788 + s * (0.189269 + s * 0.001308))));
  for (int i = 0; i < 4; ++i) {
    const double error = NormalCdf(x) - q;
    const double u = error * std::sqrt(2.0 * kPi) * std::exp(0.5 * x * x);
    x -= u / (1.0 + 0.5 * x * u);
  }
  return -x;
}

}  // namespace

double RegularizedIncompleteBeta(double a, double b, double x) {
  if (!(x >= 0 && x <= 1)) return kNaN;
  return IncompleteBeta(a, b, x, 1.0 - x);
}

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double NormalQuantile(double p) {
  if (!(p > 0 && p < 1)) return kNaN;
  if (p == 0.5) return 0.0;
  return p < 0.5 ? -NormalUpperQuantile(p) : NormalUpperQuantile(1.0 - p);
}

double StudentTPdf(double t, double dof) {
  if (!(dof > 0) || std::isnan(t)) return kNaN;
  return std::exp(-LogBeta(0.5 * dof, 0.5) - 0.5 * std::log(dof) -
                  0.5 * (dof + 1) * std::log1p(t * t / dof));
}

double StudentTCdf(double t, double dof) {
  if (!(dof > 0) || std::isnan(t)) return kNaN;
  if (dof > kNormalLimitDof) return NormalCdf(t);
  if (t == 0) return 0.5;
  const double tail = StudentTUpperTail(std::fabs(t), dof);
  return t > 0 ? 1.0 - tail : tail;
}

double StudentTQuantile(double p, double dof) {
  if (!(p > 0 && p < 1) || !(dof > 0)) return kNaN;
  if (p == 0.5) return 0.0;
  if (dof > kNormalLimitDof) return NormalQuantile(p);
  // Solve for t >= 0 with the tail probability q = min(p, 1 - p), and flip
  // the sign below the median. Far in the tails the equation is
  // UpperTail(t) = q; near the median it is Central(t) = 1 - 2q = |2p - 1|,
  // which is exact in floating point and keeps small t accurate.
  const double q = p < 0.5 ? p : 1.0 - p;
  const bool use_tail = q < kCentralSwitch;
  const double target = use_tail ? q : std::fabs(2 * p - 1);
  // excess(t) > 0 means t is below the root.
  auto excess = [&](double t) {
    return use_tail ? StudentTUpperTail(t, dof) - q
                    : target - StudentTCentral(t, dof);
  };
  const double slope_factor = use_tail ? 1.0 : 2.0;
  double lo = 0.0;
  double hi = std::max(1.0, NormalUpperQuantile(q));
  while (excess(hi) > 0) {
    lo = hi;
    hi *= 2.0;
  }
  // Newton steps, falling back to bisection whenever a step leaves the
  // bracket; the bracket shrinks on every iteration.
  double t = 0.5 * (lo + hi);
  for (int i = 0; i < kMaxRootIterations; ++i) {
    const double e = excess(t);
    if (e == 0) break;
    if (e > 0) {
      lo = t;
    } else {
      hi = t;
    }
    double next = t + e / (slope_factor * StudentTPdf(t, dof));
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    const bool converged = std::fabs(next - t) <= 2 * kEpsilon * next;
    t = next;
    if (converged || hi - lo <= 2 * kEpsilon * hi) break;
  }
  return p < 0.5 ? -t : t;
}

double BinomialCdf(long k, long n, double p) {
  if (!(p >= 0 && p <= 1) || n < 0) return kNaN;
  if (k < 0) return 0.0;
  if (k >= n) return 1.0;
  // P(B <= k) = I_{1-p}(n - k, k + 1).
  return IncompleteBeta(static_cast<double>(n - k), static_cast<double>(k + 1),
                        1.0 - p, p);
}

}  // namespace scalebench::analysis
