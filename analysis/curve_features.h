// The quantities the original study read off its fitted curves: where the
// curve peaks, and the instance count at which it falls back to its value
// at one instance ("eleven unikernels without performance damage"). For
// polynomial and USL/Amdahl fits alike. Pure functions; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_CURVE_FEATURES_H_
#define SCALEBENCH_ANALYSIS_CURVE_FEATURES_H_

#include <optional>

#include "analysis/estimate.h"
#include "analysis/ols.h"
#include "analysis/usl.h"

namespace scalebench::analysis {

// The reference point of the fallback: one instance.
inline constexpr double kOneInstance = 1.0;

// The highest local maximum of the fitted polynomial at x >= fit.x_min()
// (maxima to the right of the data are extrapolations, and reported as
// such by callers). Absent when there is none, e.g. for a line or an
// upward parabola.
std::optional<CurvePoint> Peak(const PolynomialFit& fit);

// The USL's peak N* = sqrt((1 - sigma) / kappa) and X(N*). Absent when
// kappa = 0 (Amdahl: throughput rises to lambda / sigma forever) or
// sigma >= 1.
std::optional<CurvePoint> Peak(const UslFit& fit);

// The smallest x > x_ref at which the fitted curve comes back down to its
// value at x_ref, having been above it in between. Absent when the curve
// never returns, or falls from x_ref at once.
std::optional<double> FallbackPoint(const PolynomialFit& fit,
                                    double x_ref = kOneInstance);

// For the USL in closed form: X(N) = X(n_ref) at N = (1 - sigma) /
// (kappa n_ref), which lies beyond n_ref exactly when n_ref < N*.
std::optional<double> FallbackPoint(const UslFit& fit,
                                    double n_ref = kOneInstance);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_CURVE_FEATURES_H_
