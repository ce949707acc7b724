#include "analysis/curve_features.h"

#include <cmath>
#include <functional>
#include <vector>

#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

PolynomialFit FitCurve(const std::function<double(double)>& f, int degree,
                       double x_max = 8) {
  std::vector<double> x;
  std::vector<double> y;
  for (double v = 0; v <= x_max; v += 0.5) {
    x.push_back(v);
    // A tiny alternating wobble keeps the fit from being perfect.
    y.push_back(f(v) + (x.size() % 2 == 0 ? 1e-9 : -1e-9));
  }
  return *PolynomialFit::Fit(x, y, degree);
}

// The original study's quadratic had -20 x^2 and fell back to its value at
// one instance at eleven instances. With y = a + b x - 20 x^2 that takes
// b = 240: y(x) = y(1) at x = b / 20 - 1 = 11, and the peak is at 6.
TEST(CurveFeaturesTest, TheStudysElevenInstances) {
  const PolynomialFit fit =
      FitCurve([](double x) { return 500 + 240 * x - 20 * x * x; }, 2, 12);
  const std::optional<double> fallback = FallbackPoint(fit);
  ASSERT_TRUE(fallback.has_value());
  EXPECT_NEAR(*fallback, 11, 1e-8);
  const std::optional<CurvePoint> peak = Peak(fit);
  ASSERT_TRUE(peak.has_value());
  EXPECT_NEAR(peak->x, 6, 1e-8);
  EXPECT_NEAR(peak->y, 500 + 240 * 6 - 20 * 36, 1e-7);
}

// f = x^3 - 12 x^2 + 36 x + 5 has f' = 3 (x - 2)(x - 6): a maximum at 2
// (f = 37). f(x) = f(1) = 30 at x = 1 and (11 +/- sqrt 21) / 2.
TEST(CurveFeaturesTest, CubicWithALocalMaximum) {
  const PolynomialFit fit =
      FitCurve([](double x) { return x * x * x - 12 * x * x + 36 * x + 5; }, 3);
  const std::optional<CurvePoint> peak = Peak(fit);
  ASSERT_TRUE(peak.has_value());
  EXPECT_NEAR(peak->x, 2, 1e-7);
  EXPECT_NEAR(peak->y, 37, 1e-7);
  const std::optional<double> fallback = FallbackPoint(fit);
  ASSERT_TRUE(fallback.has_value());
  EXPECT_NEAR(*fallback, (11 - std::sqrt(21.0)) / 2, 1e-7);
}

TEST(CurveFeaturesTest, CurvesWithoutAPeakOrFallback) {
  const PolynomialFit rising = FitCurve([](double x) { return 3 + 2 * x; }, 1);
  EXPECT_FALSE(Peak(rising).has_value());
  EXPECT_FALSE(FallbackPoint(rising).has_value());
  const PolynomialFit valley =
      FitCurve([](double x) { return (x - 4) * (x - 4); }, 2);
  EXPECT_FALSE(Peak(valley).has_value());
  // From x = 1 the parabola falls at once: it never "falls back".
  EXPECT_FALSE(FallbackPoint(valley).has_value());
  // A peak left of the data is not reported.
  const PolynomialFit past_peak =
      FitCurve([](double x) { return 100 - (x + 3) * (x + 3); }, 2);
  EXPECT_FALSE(Peak(past_peak).has_value());
}

TEST(CurveFeaturesTest, UslPeakAndFallbackInClosedForm) {
  std::vector<double> n = {1, 2, 4, 8, 16, 32, 64};
  std::vector<double> y;
  for (double v : n) {
    y.push_back(1000 * v / (1 + 0.05 * (v - 1) + 0.002 * v * (v - 1)));
  }
  y[3] *= 1.001;
  const UslFit fit = *UslFit::Fit(n, y, ScalabilityModel::kUsl);
  const double sigma = fit.sigma().value;
  const double kappa = fit.kappa().value;
  const std::optional<CurvePoint> peak = Peak(fit);
  ASSERT_TRUE(peak.has_value());
  EXPECT_DOUBLE_EQ(peak->x, std::sqrt((1 - sigma) / kappa));
  EXPECT_NEAR(peak->x, std::sqrt(0.95 / 0.002), 0.5);
  const std::optional<double> fallback = FallbackPoint(fit);
  ASSERT_TRUE(fallback.has_value());
  EXPECT_DOUBLE_EQ(*fallback, (1 - sigma) / kappa);
  // X really is back at X(1) there.
  EXPECT_NEAR(fit.Evaluate(*fallback), fit.Evaluate(1), 1e-9 * fit.Evaluate(1));
  // Beyond the peak there is nothing to fall back to.
  EXPECT_FALSE(FallbackPoint(fit, 2 * peak->x).has_value());
}

TEST(CurveFeaturesTest, AmdahlHasNoPeak) {
  const std::vector<double> n = {1, 2, 4, 8};
  const std::vector<double> y = {100, 180, 300, 440};
  const UslFit fit = *UslFit::Fit(n, y, ScalabilityModel::kAmdahl);
  EXPECT_FALSE(Peak(fit).has_value());
  EXPECT_FALSE(FallbackPoint(fit).has_value());
}

}  // namespace
}  // namespace scalebench::analysis
