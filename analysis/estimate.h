// Small value types shared by the analysis library: an interval, and a
// parameter estimate with its standard error and confidence interval.
// Plain data; thread-compatible.
#ifndef SCALEBENCH_ANALYSIS_ESTIMATE_H_
#define SCALEBENCH_ANALYSIS_ESTIMATE_H_

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

// A point on a fitted curve.
struct CurvePoint {
  double x = 0;
  double y = 0;
};

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_ESTIMATE_H_
