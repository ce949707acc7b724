// The cross-host model test: fit y = b0 + b1 x (or a polynomial) on the
// training rows, e.g. the measurements on one host, then predict the test
// rows (other host counts) and judge whether the model carries over. The
// original study asserted a linear vCPU model across hosts; this says how
// far to believe it. Pure functions; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_CROSS_HOST_H_
#define SCALEBENCH_ANALYSIS_CROSS_HOST_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "analysis/estimate.h"
#include "analysis/ols.h"

namespace scalebench::analysis {

// The verdict rejects the model when this many misses of the 95%
// prediction intervals would be this unlikely (binomial tail) if it held.
inline constexpr double kVerdictSignificance = 0.05;

// What a model fitted on the training rows says about growth: whether y
// grows with x over the range tested, at 95% confidence.
struct GrowthCheck {
  enum class Kind {
    kGrows,     // the interval lies above zero
    kNotShown,  // it includes zero: no growth can be claimed
    kFalls,     // it lies at or below zero: more x does not add y
  };
  Kind kind = Kind::kNotShown;
  // For people: "each vcpus_total adds 6,560 requests_per_s (95% interval
  // 5,900 to 7,200)".
  std::string words;
};

// Growth from a line's slope (its b1), x and y named as in the data.
GrowthCheck SlopeGrowth(const Estimate& slope, absl::string_view x_name,
                        absl::string_view y_name);

// Growth of a curve from `from` to `to` (x ascending): shown when the
// curve's 95% confidence interval at `to` lies above the one at `from`,
// falling when below or touching it from under.
GrowthCheck CurveGrowth(const Prediction& from, const Prediction& to,
                        absl::string_view x_name, absl::string_view y_name);

// One held-out measurement and the model's prediction for it.
struct HeldOutPrediction {
  double x = 0;
  double measured = 0;
  double predicted = 0;
  // (measured - predicted) / measured; absent when measured is 0.
  std::optional<double> relative_error;
  // The 95% prediction interval at x, and whether `measured` is inside.
  Interval prediction_interval;
  bool inside = false;
};

// How a model fitted elsewhere predicts held-out measurements.
struct HeldOutTest {
  // One per test row, in order.
  std::vector<HeldOutPrediction> predictions;
  // sqrt(mean((measured - predicted)^2)) over the test rows.
  double rmse = 0;
  int outside = 0;  // test rows outside their prediction interval
  // P(at least `outside` misses) if each row independently fell outside
  // its 95% interval with probability 0.05.
  double miss_probability = 1;
  // miss_probability >= kVerdictSignificance: the test rows fall where
  // the model predicts.
  bool predictions_hold = false;
  // What the model says about growth, when it was checked.
  std::optional<GrowthCheck> growth;
  // The verdict: the predictions hold and, when growth was checked, the
  // model shows that y grows with x. A line that carries over to other
  // hosts but is flat or falling does not say the service scales.
  bool holds = false;
  // One line for people: holds / does not hold / does not scale, and why.
  std::string verdict;
};

struct CrossHostResult : HeldOutTest {
  CrossHostResult(PolynomialFit training_fit, HeldOutTest test)
      : HeldOutTest(std::move(test)), fit(std::move(training_fit)) {}

  // The fit on the training rows.
  PolynomialFit fit;
};

// OK when the test spans have the same, non-zero length and hold only
// finite values; INVALID_ARGUMENT saying which is wrong otherwise.
absl::Status CheckTestPoints(absl::Span<const double> test_x,
                             absl::Span<const double> test_y);

// Checks every test point against the 95% prediction interval `predict`
// gives at its x (a fitted model's, analysis/model.h). Requires
// CheckTestPoints to accept the spans.
// `growth`, when given, joins the verdict (HeldOutTest::holds).
HeldOutTest JudgeHeldOut(absl::FunctionRef<Prediction(double)> predict,
                         absl::Span<const double> test_x,
                         absl::Span<const double> test_y,
                         std::optional<GrowthCheck> growth = std::nullopt);

// Fits a polynomial of `degree` (1: the line) to the training points and
// checks every test point against its 95% prediction interval, and the
// line's slope (a curve's rise over the points, for degree > 1) for
// growth; x and y are named "x" and "y" in the verdict. Errors from
// PolynomialFit::Fit (about the training rows), and INVALID_ARGUMENT when
// the test spans differ in length, are empty, or hold a non-finite value.
absl::StatusOr<CrossHostResult> TestCrossHost(absl::Span<const double> train_x,
                                              absl::Span<const double> train_y,
                                              absl::Span<const double> test_x,
                                              absl::Span<const double> test_y,
                                              int degree = 1);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_CROSS_HOST_H_
