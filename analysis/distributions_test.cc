#include "analysis/distributions.h"

#include <cmath>

#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Relative difference, for expectations "to N digits".
double RelativeError(double actual, double expected) {
  return std::fabs(actual - expected) / std::fabs(expected);
}

// Closed forms of the t quantile exist for 1, 2 and 4 degrees of freedom;
// they check the general root finder to nearly full precision. (The forms
// are written to stay accurate themselves: the Cauchy one via cot(pi p)
// in the tails, where tan(pi (p - 1/2)) is near its pole.)
double CauchyQuantile(double p) {
  if (std::fabs(p - 0.5) < 0.25) return std::tan(kPi * (p - 0.5));
  return p < 0.5 ? -1 / std::tan(kPi * p) : 1 / std::tan(kPi * (1 - p));
}
double TwoDofQuantile(double p) {
  return (2 * p - 1) / std::sqrt(2 * p * (1 - p));
}
double FourDofQuantile(double p) {
  const double alpha = 4 * p * (1 - p);
  const double q = std::cos(std::acos(std::sqrt(alpha)) / 3) / std::sqrt(alpha);
  return (p < 0.5 ? -2 : 2) * std::sqrt(q - 1);
}

// Closed forms of the t CDF for 3, 5 and 6 degrees of freedom, with
// theta = atan(t / sqrt(dof)).
double ClosedFormTCdf(double t, int dof) {
  const double theta = std::atan(t / std::sqrt(dof));
  const double s = std::sin(theta);
  const double c = std::cos(theta);
  switch (dof) {
    case 3:
      return 0.5 + (theta + s * c) / kPi;
    case 5:
      return 0.5 + (theta + s * c * (1 + 2.0 / 3 * c * c)) / kPi;
    case 6:
      return 0.5 + s / 2 * (1 + c * c / 2 + 3.0 / 8 * c * c * c * c);
  }
  return NAN;
}

TEST(StudentTQuantileTest, MatchesClosedFormsToNearlyFullPrecision) {
  for (double p : {0.5000001, 0.6, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995,
                   1e-6, 0.025, 0.3}) {
    SCOPED_TRACE(p);
    EXPECT_LT(RelativeError(StudentTQuantile(p, 1), CauchyQuantile(p)), 1e-13);
    EXPECT_LT(RelativeError(StudentTQuantile(p, 2), TwoDofQuantile(p)), 1e-13);
    // The four-dof form itself cancels near the median.
    if (std::fabs(p - 0.5) > 0.05) {
      EXPECT_LT(RelativeError(StudentTQuantile(p, 4), FourDofQuantile(p)),
                1e-12);
    }
  }
}

TEST(StudentTQuantileTest, SolvesClosedFormCdfs) {
  // The quantile puts the closed-form CDF at p to rounding level; with the
  // density near 0.03..0.4, that pins t to about 1e-14 relative.
  for (int dof : {3, 5, 6}) {
    for (double p : {0.6, 0.9, 0.95, 0.975, 0.995, 0.025}) {
      SCOPED_TRACE(dof);
      EXPECT_NEAR(ClosedFormTCdf(StudentTQuantile(p, dof), dof), p, 4e-16);
    }
  }
}

TEST(StudentTQuantileTest, MatchesPublishedTableValues) {
  // Two-sided 95% and 99% critical values as printed in standard t tables
  // (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2), which give 3 decimals.
  struct Row {
    double dof;
    double t975;
    double t995;
  };
  for (const Row& row :
       {Row{3, 3.182, 5.841}, Row{5, 2.571, 4.032}, Row{10, 2.228, 3.169},
        Row{30, 2.042, 2.750}, Row{100, 1.984, 2.626}}) {
    SCOPED_TRACE(row.dof);
    EXPECT_NEAR(StudentTQuantile(0.975, row.dof), row.t975, 5e-4);
    EXPECT_NEAR(StudentTQuantile(0.995, row.dof), row.t995, 5e-4);
  }
}

TEST(StudentTQuantileTest, MatchesCephesToItsPrecision) {
  // scipy.stats.t.ppf (Cephes stdtrit). Cephes is the less accurate of the
  // two: its t(0.975; 5) misses the closed-form CDF by 3e-11, i.e. 4e-10
  // relative in t, so agreement is asked to 1e-9.
  struct Row {
    double p;
    double dof;
    double expected;
  };
  for (const Row& row :
       {Row{0.975, 3, 3.182446305284263}, Row{0.975, 5, 2.5705818366147395},
        Row{0.975, 7, 2.3646242510102993}, Row{0.975, 10, 2.2281388519649385},
        Row{0.975, 30, 2.0422724563012373}, Row{0.975, 120, 1.9799304050527766},
        Row{0.975, 1000, 1.9623390808264074},
        Row{0.975, 100000, 1.9599877075346093},
        Row{0.995, 20, 2.845339709776814}, Row{0.95, 60, 1.6706488646505926},
        Row{1 - 1e-6, 5, 24.771029720392217}}) {
    SCOPED_TRACE(row.dof);
    EXPECT_LT(RelativeError(StudentTQuantile(row.p, row.dof), row.expected),
              1e-9);
  }
}

TEST(StudentTQuantileTest, InvertsTheCdf) {
  for (double dof : {1.0, 2.5, 6.0, 17.0, 250.0, 5e4}) {
    for (double p : {0.001, 0.2, 0.7, 0.975}) {
      SCOPED_TRACE(dof);
      EXPECT_LT(RelativeError(StudentTCdf(StudentTQuantile(p, dof), dof), p),
                1e-13);
    }
  }
}

TEST(StudentTQuantileTest, IsSymmetricAndZeroAtTheMedian) {
  EXPECT_EQ(StudentTQuantile(0.5, 7), 0.0);
  EXPECT_DOUBLE_EQ(StudentTQuantile(0.025, 7), -StudentTQuantile(0.975, 7));
}

TEST(StudentTQuantileTest, OutOfDomainIsNaN) {
  EXPECT_TRUE(std::isnan(StudentTQuantile(0.0, 3)));
  EXPECT_TRUE(std::isnan(StudentTQuantile(1.0, 3)));
  EXPECT_TRUE(std::isnan(StudentTQuantile(0.9, 0)));
}

TEST(StudentTTest, CdfAndPdfMatchCephes) {
  EXPECT_LT(RelativeError(StudentTCdf(2.5, 3), 0.9561466764959673), 1e-13);
  EXPECT_LT(RelativeError(StudentTCdf(-1.2, 7), 0.1345859684136032), 1e-13);
  EXPECT_LT(RelativeError(StudentTCdf(3, 1000), 0.9986166454778809), 1e-13);
  EXPECT_LT(RelativeError(StudentTPdf(2.5, 3), 0.0386614857271673), 1e-13);
  EXPECT_LT(RelativeError(StudentTPdf(0.3, 40), 0.37860528925943354), 1e-13);
  // One degree of freedom is the Cauchy distribution.
  EXPECT_LT(RelativeError(StudentTCdf(10, 1), 0.5 + std::atan(10.0) / kPi),
            1e-14);
}

TEST(NormalTest, QuantileMatchesKnownValues) {
  EXPECT_LT(RelativeError(NormalQuantile(0.975), 1.959963984540054), 1e-15);
  EXPECT_LT(RelativeError(NormalQuantile(0.995), 2.5758293035489004), 1e-15);
  EXPECT_LT(RelativeError(NormalQuantile(1e-10), -6.361340902404056), 1e-14);
  EXPECT_LT(RelativeError(NormalQuantile(0.3), -0.5244005127080409), 1e-14);
  EXPECT_EQ(NormalQuantile(0.5), 0.0);
  EXPECT_NEAR(NormalCdf(1.959963984540054), 0.975, 1e-16);
}

TEST(IncompleteBetaTest, MatchesClosedFormsAndCephes) {
  // I_x(1/2, 1/2) = (2 / pi) asin(sqrt(x)); I_x(2, 3) is a polynomial.
  EXPECT_LT(RelativeError(RegularizedIncompleteBeta(0.5, 0.5, 0.3),
                          2 / kPi * std::asin(std::sqrt(0.3))),
            1e-14);
  const double x = 0.4;
  // I_x(2, 3) = P(Bin(4, x) >= 2).
  const double bin4 =
      6 * x * x * (1 - x) * (1 - x) + 4 * x * x * x * (1 - x) + x * x * x * x;
  EXPECT_LT(RelativeError(RegularizedIncompleteBeta(2, 3, x), bin4), 1e-14);
  EXPECT_LT(RelativeError(RegularizedIncompleteBeta(10, 0.5, 0.9),
                          0.15164090963470997),
            1e-13);
  EXPECT_LT(RelativeError(RegularizedIncompleteBeta(50, 60, 0.45),
                          0.4642352914306064),
            1e-12);
  EXPECT_LT(RelativeError(RegularizedIncompleteBeta(1.5, 200, 0.01),
                          0.7412388483059987),
            1e-12);
  EXPECT_EQ(RegularizedIncompleteBeta(2, 3, 0), 0.0);
  EXPECT_EQ(RegularizedIncompleteBeta(2, 3, 1), 1.0);
}

TEST(BinomialCdfTest, MatchesExactSums) {
  // P(B <= 3), B ~ Bin(10, 1/2) = (1 + 10 + 45 + 120) / 1024.
  EXPECT_LT(RelativeError(BinomialCdf(3, 10, 0.5), 176.0 / 1024), 1e-14);
  // P(B <= 1), B ~ Bin(6, 1/2) = 7 / 64.
  EXPECT_LT(RelativeError(BinomialCdf(1, 6, 0.5), 7.0 / 64), 1e-14);
  EXPECT_LT(RelativeError(BinomialCdf(40, 100, 0.5), 0.02844396682049044),
            1e-12);
  EXPECT_EQ(BinomialCdf(-1, 10, 0.5), 0.0);
  EXPECT_EQ(BinomialCdf(10, 10, 0.5), 1.0);
}

}  // namespace
}  // namespace scalebench::analysis
