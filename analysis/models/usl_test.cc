#include <cmath>
#include <string>
#include <vector>

#include "analysis/models/models.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::analysis::models {
namespace {

double Throughput(double lambda, double sigma, double kappa, double n) {
  return lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

TEST(UslModelTest, NamesAndTraits) {
  EXPECT_EQ(Usl().Name(v1::ModelSpec()), "usl");
  EXPECT_EQ(Amdahl().NameSyntax(), "amdahl");
  EXPECT_EQ(Usl().ParseName("2").status().message(), "");
  EXPECT_FALSE(Usl().info().cross_host);
  EXPECT_FALSE(Usl().info().has_loo);
  EXPECT_EQ(Usl().info().fallback_reference, "its value at x = 1");
  EXPECT_TRUE(Usl().info().fixed.empty());
  ASSERT_EQ(Amdahl().info().fixed.size(), 1u);
  EXPECT_EQ(Amdahl().info().fixed[0].name, "kappa");
  EXPECT_EQ(Amdahl().info().fixed[0].value, 0);
}

TEST(UslModelTest, UslHasKappaAndAPeakAmdahlHasNeither) {
  std::vector<double> n;
  std::vector<double> x;
  for (double v : {1, 2, 4, 8, 16, 32, 64}) {
    n.push_back(v);
    x.push_back(Throughput(1000, 0.05, 0.001, v));
  }
  absl::StatusOr<std::unique_ptr<FittedModel>> usl =
      Usl().Fit(v1::ModelSpec(), n, x);
  ASSERT_TRUE(usl.ok()) << usl.status();
  const std::vector<NamedEstimate> p = (*usl)->Parameters();
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[2].name, "kappa");
  EXPECT_NEAR(p[2].estimate.value, 0.001, 1e-9);
  ASSERT_TRUE((*usl)->Peak().has_value());
  EXPECT_NEAR((*usl)->Peak()->x, std::sqrt(950.0), 1e-4);
  EXPECT_NEAR(*(*usl)->Fallback(), 950, 1e-3);
  EXPECT_EQ((*usl)->x_max(), 64);
  EXPECT_NEAR((*usl)->Predict(1).fitted, 1000, 1e-4);

  absl::StatusOr<std::unique_ptr<FittedModel>> amdahl =
      Amdahl().Fit(v1::ModelSpec(), n, x);
  ASSERT_TRUE(amdahl.ok()) << amdahl.status();
  EXPECT_EQ((*amdahl)->Parameters().size(), 2u);
  EXPECT_FALSE((*amdahl)->Peak().has_value());
  EXPECT_FALSE((*amdahl)->Statistics().adj_r2.has_value());
}

}  // namespace
}  // namespace scalebench::analysis::models
