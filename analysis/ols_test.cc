#include "analysis/ols.h"

#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

using ::testing::HasSubstr;

constexpr double kPi = 3.14159265358979323846;
// t(0.975; 3), solved by bisection on the closed-form CDF
// 1/2 + (theta + sin(theta) cos(theta)) / pi, theta = atan(t / sqrt(3)).
constexpr double kT975Dof3 = 3.182446305283706;

double RelativeError(double actual, double expected) {
  return std::fabs(actual - expected) / std::fabs(expected);
}

// A line worked by hand: x = 1..5, y = 2, 4, 5, 4, 5. Sxx = 10, Sxy = 6,
// so b1 = 0.6, b0 = 4 - 0.6 * 3 = 2.2; fitted 2.8, 3.4, 4.0, 4.6, 5.2;
// residuals -0.8, 0.6, 1, -0.6, -0.2; RSS = 2.4, s^2 = 0.8, TSS = 6.
TEST(PolynomialFitTest, HandWorkedLine) {
  const std::vector<double> x = {1, 2, 3, 4, 5};
  const std::vector<double> y = {2, 4, 5, 4, 5};
  absl::StatusOr<PolynomialFit> fit = PolynomialFit::Fit(x, y, 1);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_EQ(fit->n(), 5);
  EXPECT_EQ(fit->dof(), 3);
  ASSERT_EQ(fit->coefficients().size(), 2u);
  const Estimate& b0 = fit->coefficients()[0];
  const Estimate& b1 = fit->coefficients()[1];
  EXPECT_NEAR(b0.value, 2.2, 1e-14);
  EXPECT_NEAR(b1.value, 0.6, 1e-14);
  // Var(b1) = s^2 / Sxx; Var(b0) = s^2 (1/n + mean^2 / Sxx).
  EXPECT_LT(RelativeError(b1.std_error, std::sqrt(0.8 / 10)), 1e-13);
  EXPECT_LT(RelativeError(b0.std_error, std::sqrt(0.8 * (0.2 + 0.9))), 1e-13);
  EXPECT_NEAR(b1.ci.high, 0.6 + kT975Dof3 * std::sqrt(0.08), 1e-13);
  EXPECT_NEAR(b1.ci.low, 0.6 - kT975Dof3 * std::sqrt(0.08), 1e-13);
  EXPECT_LT(RelativeError(fit->rss(), 2.4), 1e-13);
  EXPECT_LT(RelativeError(fit->residual_se(), std::sqrt(0.8)), 1e-13);
  EXPECT_LT(RelativeError(fit->r2(), 0.6), 1e-13);
  EXPECT_LT(RelativeError(fit->adj_r2(), 1 - 0.4 * 4 / 3), 1e-13);
  // ln L = -n/2 (ln 2 pi + ln(RSS / n) + 1), k = 3.
  const double aic = 6 + 5 * (std::log(2 * kPi) + std::log(2.4 / 5) + 1);
  ASSERT_TRUE(fit->aic().has_value());
  EXPECT_LT(RelativeError(*fit->aic(), aic), 1e-13);
  ASSERT_TRUE(fit->aicc().has_value());
  EXPECT_LT(RelativeError(*fit->aicc(), aic + 2.0 * 3 * 4 / (5 - 3 - 1)),
            1e-13);
  // Leverages 1/5 + (x - 3)^2 / 10 = 0.6, 0.3, 0.2, 0.3, 0.6, so the
  // leave-one-out errors are -2, 6/7, 1.25, -6/7, -0.5.
  const double loo = std::sqrt((4 + 2 * 36.0 / 49 + 1.5625 + 0.25) / 5);
  ASSERT_TRUE(fit->loo_rmse().has_value());
  EXPECT_LT(RelativeError(*fit->loo_rmse(), loo), 1e-13);
  // At x = 3 (leverage 0.2) the fitted value is 4.
  const Prediction at3 = fit->Predict(3);
  EXPECT_NEAR(at3.fitted, 4.0, 1e-14);
  EXPECT_LT(RelativeError(at3.mean_ci.high, 4 + kT975Dof3 * std::sqrt(0.16)),
            1e-13);
  EXPECT_NEAR(at3.prediction.low, 4 - kT975Dof3 * std::sqrt(0.8 * 1.2), 1e-13);
}

// R's documented example, summary(lm(dist ~ speed, data = cars)):
// intercept -17.5791 (6.7584), slope 3.9324 (0.4155), residual standard
// error 15.38 on 48 df, R^2 0.6511, adjusted 0.6438; AIC() gives 419.1569
// (R, like scalebench, counts the variance as a parameter).
TEST(PolynomialFitTest, MatchesRsCarsRegression) {
  const std::vector<double> speed = {
      4,  4,  7,  7,  8,  9,  10, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13,
      13, 13, 14, 14, 14, 14, 15, 15, 15, 16, 16, 17, 17, 17, 18, 18, 18,
      18, 19, 19, 19, 20, 20, 20, 20, 20, 22, 23, 24, 24, 24, 24, 25};
  const std::vector<double> dist = {
      2,  10, 4,  22, 16, 10, 18, 26, 34, 17, 28, 14, 20, 24, 28,  26, 34,
      34, 46, 26, 36, 60, 80, 20, 26, 54, 32, 40, 32, 40, 50, 42,  56, 76,
      84, 36, 46, 68, 32, 48, 52, 56, 64, 66, 54, 70, 92, 93, 120, 85};
  absl::StatusOr<PolynomialFit> fit = PolynomialFit::Fit(speed, dist, 1);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_NEAR(fit->coefficients()[0].value, -17.5791, 5e-5);
  EXPECT_NEAR(fit->coefficients()[0].std_error, 6.7584, 5e-5);
  EXPECT_NEAR(fit->coefficients()[1].value, 3.9324, 5e-5);
  EXPECT_NEAR(fit->coefficients()[1].std_error, 0.4155, 5e-5);
  EXPECT_NEAR(fit->residual_se(), 15.38, 5e-3);
  EXPECT_EQ(fit->dof(), 48);
  EXPECT_NEAR(fit->r2(), 0.6511, 5e-5);
  EXPECT_NEAR(fit->adj_r2(), 0.6438, 5e-5);
  ASSERT_TRUE(fit->aic().has_value());
  EXPECT_NEAR(*fit->aic(), 419.1569, 5e-5);
}

// Data on an exact parabola: the fit recovers it, with R^2 = 1 and no AIC
// (the likelihood of a perfect fit is unbounded).
TEST(PolynomialFitTest, ExactParabolaIsRecovered) {
  std::vector<double> x;
  std::vector<double> y;
  for (int i = 0; i <= 6; ++i) {
    x.push_back(i);
    y.push_back(2 - 3.0 * i + 0.5 * i * i);
  }
  absl::StatusOr<PolynomialFit> fit = PolynomialFit::Fit(x, y, 2);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_NEAR(fit->coefficients()[0].value, 2, 1e-12);
  EXPECT_NEAR(fit->coefficients()[1].value, -3, 1e-12);
  EXPECT_NEAR(fit->coefficients()[2].value, 0.5, 1e-12);
  EXPECT_NEAR(fit->r2(), 1.0, 1e-14);
  EXPECT_FALSE(fit->aic().has_value());
  EXPECT_FALSE(fit->aicc().has_value());
  EXPECT_NEAR(fit->Evaluate(10), 2 - 30 + 50, 1e-10);
}

// The original study's shape: a quadratic on four instance counts leaves
// one residual degree of freedom. It fits, with wide intervals, and AICc
// (which needs n > k + 1 = 5) is absent.
TEST(PolynomialFitTest, QuadraticOnFourPointsHasOneDegreeOfFreedom) {
  const std::vector<double> x = {1, 2, 3, 4};
  const std::vector<double> y = {1000, 1060, 1080, 1050};
  absl::StatusOr<PolynomialFit> fit = PolynomialFit::Fit(x, y, 2);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_EQ(fit->dof(), 1);
  EXPECT_TRUE(fit->aic().has_value());
  EXPECT_FALSE(fit->aicc().has_value());
  // By hand, with the orthogonal polynomial (x - 2.5)^2 - 1.25, which takes
  // the values 1, -1, -1, 1: b2 = (1000 - 1060 - 1080 + 1050) / 4.
  EXPECT_NEAR(fit->coefficients()[2].value, -22.5, 1e-10);
  // One degree of freedom: the interval is +/- t(0.975; 1) = 12.7062 SEs.
  const Estimate& b2 = fit->coefficients()[2];
  EXPECT_NEAR(b2.ci.high - b2.value, 12.706204736174707 * b2.std_error, 1e-9);
}

// x in the thousands with degree 3: the raw Vandermonde matrix has a
// condition number near 1e12, yet the scaled QR recovers an exact cubic's
// coefficients to high relative precision.
TEST(PolynomialFitTest, CubicWithLargeXIsStable) {
  const double b[] = {5, 0.02, -1e-5, 2e-9};
  std::vector<double> x;
  std::vector<double> y;
  for (int i = 0; i <= 20; ++i) {
    const double xi = 1000 + 50.0 * i;
    x.push_back(xi);
    y.push_back(b[0] + xi * (b[1] + xi * (b[2] + xi * b[3])));
  }
  absl::StatusOr<PolynomialFit> fit = PolynomialFit::Fit(x, y, 3);
  ASSERT_TRUE(fit.ok()) << fit.status();
  for (int k = 0; k < 4; ++k) {
    EXPECT_LT(RelativeError(fit->coefficients()[k].value, b[k]), 1e-8) << k;
  }
  const double at = 1234;
  EXPECT_LT(RelativeError(fit->Evaluate(at),
                          b[0] + at * (b[1] + at * (b[2] + at * b[3]))),
            1e-12);
}

TEST(PolynomialFitTest, RepeatedXValuesAreUsedAsRepetitions) {
  // Two repetitions at each of three x: the line through the means.
  const std::vector<double> x = {1, 1, 2, 2, 3, 3};
  const std::vector<double> y = {9, 11, 19, 21, 29, 31};
  absl::StatusOr<PolynomialFit> fit = PolynomialFit::Fit(x, y, 1);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_EQ(fit->n(), 6);
  EXPECT_NEAR(fit->coefficients()[0].value, 0, 1e-12);
  EXPECT_NEAR(fit->coefficients()[1].value, 10, 1e-12);
  EXPECT_LT(RelativeError(fit->rss(), 6 * 1.0), 1e-13);
}

TEST(PolynomialFitTest, LeverageOneLeavesLooUndefined) {
  // The point at x = 5 alone fixes the slope.
  const std::vector<double> x = {1, 1, 1, 5};
  const std::vector<double> y = {1, 2, 3, 7};
  absl::StatusOr<PolynomialFit> fit = PolynomialFit::Fit(x, y, 1);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_FALSE(fit->loo_rmse().has_value());
}

TEST(PolynomialFitTest, DegenerateInputsAreRejectedWithAReason) {
  const std::vector<double> three = {1, 2, 3};
  const std::vector<double> equal = {4, 4, 4, 4};
  const std::vector<double> four = {1, 2, 3, 4};
  EXPECT_THAT(PolynomialFit::Fit(three, three, 2).status().message(),
              HasSubstr("needs at least 4 points"));
  EXPECT_THAT(PolynomialFit::Fit(equal, four, 1).status().message(),
              HasSubstr("all x values are equal"));
  EXPECT_THAT(PolynomialFit::Fit(four, equal, 1).status().message(),
              HasSubstr("all y values are equal"));
  const std::vector<double> two_levels = {1, 1, 2, 2, 1};
  EXPECT_THAT(
      PolynomialFit::Fit(two_levels, {1, 2, 3, 4, 5}, 2).status().message(),
      HasSubstr("only 2 distinct x values"));
  EXPECT_EQ(PolynomialFit::Fit(four, three, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PolynomialFit::Fit(four, {1, 2, NAN, 4}, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PolynomialFit::Fit(four, four, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// No points, and each count short of one residual degree of freedom, for
// the line and the highest degree a spec may ask for (10: 12 points).
TEST(PolynomialFitTest, NoPointsOrTooFewAreRefusedWithTheCount) {
  EXPECT_THAT(PolynomialFit::Fit({}, {}, 1).status().message(),
              HasSubstr("a straight line has 2 parameters and needs at least "
                        "3 points (one residual degree of freedom); got 0"));
  std::vector<double> x;
  std::vector<double> y;
  for (int i = 0; i < 11; ++i) {
    for (int degree : {1, 2, 10}) {
      if (static_cast<int>(x.size()) >= degree + 2) continue;
      const absl::StatusOr<PolynomialFit> fit =
          PolynomialFit::Fit(x, y, degree);
      EXPECT_EQ(fit.status().code(), absl::StatusCode::kInvalidArgument)
          << x.size() << " points, degree " << degree;
      EXPECT_THAT(fit.status().message(),
                  HasSubstr(absl::StrCat("needs at least ", degree + 2,
                                         " points (one residual degree of "
                                         "freedom); got ",
                                         x.size())))
          << x.size() << " points, degree " << degree;
    }
    x.push_back(i + 1);
    y.push_back((i + 1) * (i + 1));
  }
}

}  // namespace
}  // namespace scalebench::analysis
