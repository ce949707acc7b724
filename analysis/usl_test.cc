#include "analysis/usl.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

#include "Eigen/Dense"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

using ::testing::HasSubstr;

double RelativeError(double actual, double expected) {
  return std::fabs(actual - expected) / std::fabs(expected);
}

std::vector<double> UslCurve(const std::vector<double>& n, double lambda,
                             double sigma, double kappa) {
  std::vector<double> y;
  for (double v : n) {
    y.push_back(lambda * v / (1 + sigma * (v - 1) + kappa * v * (v - 1)));
  }
  return y;
}

// The SPEC SDM91 results of a 16-CPU Sun SPARCcenter 2000 (Gunther,
// Guerrilla Capacity Planning, 2007): throughput against load.
constexpr double kSdm91Load[] = {1, 18, 36, 72, 108, 144, 216};

absl::StatusOr<UslFit> FitSpecSdm91() {
  const std::vector<double> throughput = {64.9,   995.9,  1652.4, 1853.2,
                                          1828.9, 1775.0, 1702.2};
  return UslFit::Fit(kSdm91Load, throughput, ScalabilityModel::kUsl);
}

// The R usl package's README and vignette: usl(throughput ~ load,
// specsdm91), fitted by nls:
//   alpha (sigma)  0.0277285  std. error 0.0091217
//   beta  (kappa)  0.0001044  std. error 0.0000199
//   gamma (lambda) 89.9952330 std. error 14.2134894
TEST(UslFitTest, MatchesTheRUslPackageOnSpecSdm91) {
  absl::StatusOr<UslFit> fit = FitSpecSdm91();
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_EQ(fit->dof(), 4);
  // R stops its iterations slightly early: its gamma is 5.5e-7 (relative)
  // off the optimum, so estimates agree to 1e-5.
  EXPECT_LT(RelativeError(fit->sigma().value, 0.0277285), 1e-5);
  EXPECT_LT(RelativeError(fit->kappa().value, 0.0001044), 5e-4);  // 4 digits
  EXPECT_LT(RelativeError(fit->lambda().value, 89.9952330), 1e-5);
  EXPECT_LT(RelativeError(fit->sigma().std_error, 0.0091217), 1e-4);
  EXPECT_LT(RelativeError(fit->kappa().std_error, 0.0000199),
            5e-3);  // 3 digits
  EXPECT_LT(RelativeError(fit->lambda().std_error, 14.2134894), 1e-5);
}

// The delta method's intervals. At N = 1 the USL is lambda, so the mean's
// interval is lambda's own (R's standard error, 14.2134894); elsewhere
// they match the delta method worked out here independently, from a
// finite-difference Jacobian and Eigen's inverse of J'J.
TEST(UslFitTest, PredictGivesTheDeltaMethodIntervals) {
  absl::StatusOr<UslFit> fit = FitSpecSdm91();
  ASSERT_TRUE(fit.ok()) << fit.status();
  const double t = 2.7764451051977987;  // t(0.975, 4)
  const Prediction one = fit->Predict(1);
  EXPECT_NEAR(one.fitted, fit->lambda().value, 1e-9);
  EXPECT_LT(
      RelativeError((one.mean_ci.high - one.mean_ci.low) / 2, t * 14.2134894),
      1e-4);

  const double p[3] = {fit->lambda().value, fit->sigma().value,
                       fit->kappa().value};
  auto curve = [](const double* q, double n) {
    return q[0] * n / (1 + q[1] * (n - 1) + q[2] * n * (n - 1));
  };
  auto gradient = [&](double n) {
    Eigen::Vector3d g;
    for (int j = 0; j < 3; ++j) {
      double up[3] = {p[0], p[1], p[2]};
      double down[3] = {p[0], p[1], p[2]};
      const double h = 1e-6 * std::max(std::fabs(p[j]), 1e-6);
      up[j] += h;
      down[j] -= h;
      g(j) = (curve(up, n) - curve(down, n)) / (2 * h);
    }
    return g;
  };
  Eigen::MatrixXd jacobian(std::size(kSdm91Load), 3);
  for (size_t i = 0; i < std::size(kSdm91Load); ++i) {
    jacobian.row(i) = gradient(kSdm91Load[i]).transpose();
  }
  const Eigen::Matrix3d inverse = (jacobian.transpose() * jacobian).inverse();
  const double s = fit->residual_se();
  for (double n : {10.0, 100.0, 300.0}) {
    const Eigen::Vector3d g = gradient(n);
    const double q = g.dot(inverse * g);
    const Prediction at = fit->Predict(n);
    EXPECT_NEAR(at.fitted, fit->Evaluate(n), 1e-9) << n;
    EXPECT_LT(RelativeError((at.mean_ci.high - at.mean_ci.low) / 2,
                            t * s * std::sqrt(q)),
              1e-4)
        << n;
    EXPECT_LT(RelativeError((at.prediction.high - at.prediction.low) / 2,
                            t * s * std::sqrt(1 + q)),
              1e-4)
        << n;
  }
}

// The R usl package's tests/coef.R: data made from sigma = kappa = 0.02,
// lambda = 1 and rounded to 4 decimals; R prints 0.02, 0.02, 1.00.
TEST(UslFitTest, RecoversTheRUslPackageCoefExample) {
  const std::vector<double> load = {1, 2, 4, 6, 8, 10};
  const std::vector<double> tput = {1, 1.8868, 3.0769, 3.5294, 3.5398, 3.3557};
  absl::StatusOr<UslFit> fit = UslFit::Fit(load, tput, ScalabilityModel::kUsl);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_NEAR(fit->sigma().value, 0.02, 5e-5);
  EXPECT_NEAR(fit->kappa().value, 0.02, 5e-5);
  EXPECT_NEAR(fit->lambda().value, 1.00, 5e-5);
}

// The R usl package's vignette and tests/confint.R: the raytracer
// benchmark (SGI Origin 2000), where kappa sits on its bound: R prints
// alpha 0.0578, beta 0.0000, gamma 21.8488.
TEST(UslFitTest, KappaOnItsBoundOnRaytracer) {
  const std::vector<double> processors = {1,  4,  8,  12, 16, 20,
                                          24, 28, 32, 48, 64};
  const std::vector<double> throughput = {20,  78,  130, 170, 190, 200,
                                          210, 230, 260, 280, 310};
  absl::StatusOr<UslFit> fit =
      UslFit::Fit(processors, throughput, ScalabilityModel::kUsl);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_NEAR(fit->sigma().value, 0.0578, 5e-5);
  EXPECT_EQ(fit->kappa().value, 0.0);
  EXPECT_NEAR(fit->lambda().value, 21.8488, 5e-5);
  // The standard error is still reported, from the full Jacobian.
  EXPECT_GT(fit->kappa().std_error, 0.0);
}

TEST(UslFitTest, ExactUslDataIsRecovered) {
  const std::vector<double> n = {1, 2, 4, 8, 12, 16, 24, 32, 48};
  const std::vector<double> y = UslCurve(n, 1000, 0.05, 0.002);
  absl::StatusOr<UslFit> fit = UslFit::Fit(n, y, ScalabilityModel::kUsl);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_LT(RelativeError(fit->lambda().value, 1000), 1e-9);
  EXPECT_LT(RelativeError(fit->sigma().value, 0.05), 1e-8);
  EXPECT_LT(RelativeError(fit->kappa().value, 0.002), 1e-8);
  EXPECT_NEAR(fit->r2(), 1.0, 1e-12);
  EXPECT_FALSE(fit->aic().has_value());
}

TEST(UslFitTest, AmdahlHasNoKappa) {
  const std::vector<double> n = {1, 2, 3, 4, 6, 8};
  std::vector<double> y = UslCurve(n, 100, 0.1, 0);
  y[2] *= 1.01;  // some noise, so that the AIC exists
  absl::StatusOr<UslFit> fit = UslFit::Fit(n, y, ScalabilityModel::kAmdahl);
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_EQ(fit->parameters(), 2);
  EXPECT_EQ(fit->dof(), 4);
  EXPECT_NEAR(fit->lambda().value, 100, 2);
  EXPECT_NEAR(fit->sigma().value, 0.1, 0.02);
  EXPECT_EQ(fit->kappa().value, 0.0);
  EXPECT_EQ(fit->kappa().std_error, 0.0);
  ASSERT_TRUE(fit->aicc().has_value());
}

TEST(UslFitTest, DegenerateInputsAreRejectedWithAReason) {
  const std::vector<double> n = {1, 2, 4, 8};
  const std::vector<double> y = {10, 18, 30, 40};
  EXPECT_THAT(UslFit::Fit(n, {10, 18, 0, 40}, ScalabilityModel::kUsl)
                  .status()
                  .message(),
              HasSubstr("non-positive throughput y = 0 at point 3"));
  EXPECT_THAT(
      UslFit::Fit({0, 2, 4, 8}, y, ScalabilityModel::kUsl).status().message(),
      HasSubstr("needs positive x"));
  EXPECT_THAT(UslFit::Fit({1, 2, 4}, {10, 18, 30}, ScalabilityModel::kUsl)
                  .status()
                  .message(),
              HasSubstr("needs at least 4 points"));
  EXPECT_THAT(
      UslFit::Fit({1, 2, 2, 1}, y, ScalabilityModel::kUsl).status().message(),
      HasSubstr("only 2 distinct x values"));
  EXPECT_THAT(UslFit::Fit({3, 3, 3, 3}, y, ScalabilityModel::kAmdahl)
                  .status()
                  .message(),
              HasSubstr("all x values are equal"));
  EXPECT_EQ(
      UslFit::Fit(n, {5, 5, 5, 5}, ScalabilityModel::kUsl).status().code(),
      absl::StatusCode::kInvalidArgument);
}

// Issue 25: a usl or amdahl model over an experiment without a succeeded
// trial fitted zero points and read the largest of none (a SIGSEGV that
// took the coordinator down). Zero points and every count short of one
// residual degree of freedom are refused with the count, for both models.
TEST(UslFitTest, NoPointsOrTooFewAreRefusedWithTheCount) {
  const std::vector<double> n = {1, 2, 4, 8};
  const std::vector<double> y = {10, 18, 30, 40};
  struct Case {
    ScalabilityModel model;
    size_t needed;
    // The message, less the count of points it was given.
    const char* message;
  };
  const Case cases[] = {
      {ScalabilityModel::kUsl, 4,
       "the USL has 3 parameters and needs at least 4 points (one residual "
       "degree of freedom); got "},
      {ScalabilityModel::kAmdahl, 3,
       "Amdahl's law has 2 parameters and needs at least 3 points (one "
       "residual degree of freedom); got "},
  };
  for (const Case& c : cases) {
    for (size_t points = 0; points < c.needed; ++points) {
      // Vectors of their own, as ApplyModel passes them: no points is no
      // storage at all.
      const std::vector<double> some_n(n.begin(), n.begin() + points);
      const std::vector<double> some_y(y.begin(), y.begin() + points);
      const absl::StatusOr<UslFit> fit = UslFit::Fit(some_n, some_y, c.model);
      EXPECT_EQ(fit.status().code(), absl::StatusCode::kInvalidArgument)
          << points << " points";
      EXPECT_THAT(fit.status().message(),
                  HasSubstr(absl::StrCat(c.message, points)))
          << points << " points";
    }
  }
}

}  // namespace
}  // namespace scalebench::analysis
