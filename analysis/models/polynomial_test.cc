#include <optional>
#include <string>
#include <vector>

#include "analysis/models/models.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::analysis::models {
namespace {

v1::ModelSpec Poly(int degree) {
  v1::ModelSpec spec;
  spec.set_fit(v1::MODEL_KIND_POLY);
  spec.set_degree(degree);
  return spec;
}

TEST(PolynomialModelTest, NamesCarryTheDegree) {
  EXPECT_EQ(Polynomial().Name(Poly(3)), "poly:3");
  EXPECT_EQ(Polynomial().NameSyntax(), "poly:D (2 <= D <= 10)");
  EXPECT_EQ(Polynomial().ParseName("10")->degree(), 10u);
  using Argument = std::optional<absl::string_view>;
  for (Argument bad :
       {Argument(), Argument("0"), Argument("11"), Argument("x")}) {
    const absl::Status status = Polynomial().ParseName(bad).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), "");  // the caller lists the choices
  }
  EXPECT_EQ(Polynomial().ParseName("1").status().message(),
            "is the straight line: write --model linear");
  EXPECT_EQ(Linear().Name(v1::ModelSpec()), "linear");
  EXPECT_EQ(Linear().ParseName(std::nullopt)->fit(), v1::MODEL_KIND_LINEAR);
  EXPECT_FALSE(Linear().ParseName("1").ok());
}

TEST(PolynomialModelTest, DegreeIsCheckedAndNamedByTheCaller) {
  const FieldNamer field = [](absl::string_view name) {
    return std::string("models[0].") + std::string(name);
  };
  EXPECT_TRUE(Polynomial().CheckSpec(Poly(2), field).ok());
  EXPECT_EQ(Polynomial().CheckSpec(Poly(1), field).message(),
            "models[0].degree: 1 is the straight line: use the model 'linear'");
  EXPECT_EQ(Polynomial().CheckSpec(Poly(11), field).message(),
            "models[0].degree: poly needs a degree from 2 to 10; got 11");
}

TEST(PolynomialModelTest, FitsTheDegreeOfTheSpecWithLabelledCoefficients) {
  // y = 1 + 2x + 3x^2 exactly, and noise-free: the coefficients come back.
  std::vector<double> x;
  std::vector<double> y;
  for (int i = 0; i < 6; ++i) {
    x.push_back(i);
    y.push_back(1 + 2 * i + 3 * i * i + (i % 2 ? 0.01 : -0.01));
  }
  absl::StatusOr<std::unique_ptr<FittedModel>> fit =
      Polynomial().Fit(Poly(2), x, y);
  ASSERT_TRUE(fit.ok()) << fit.status();
  const std::vector<NamedEstimate> b = (*fit)->Parameters();
  ASSERT_EQ(b.size(), 3u);
  EXPECT_NEAR(b[2].estimate.value, 3, 0.01);
  EXPECT_EQ(Polynomial().ParameterLabel(0, b[0].name), "b0");
  EXPECT_EQ(Polynomial().ParameterLabel(1, b[1].name), "b1 (x)");
  EXPECT_EQ(Polynomial().ParameterLabel(2, b[2].name), "b2 (x^2)");
  EXPECT_TRUE((*fit)->Statistics().loo_rmse.has_value());
  EXPECT_EQ((*fit)->x_max(), 5);
  EXPECT_FALSE((*fit)->Peak().has_value());  // an upward parabola
  absl::StatusOr<std::unique_ptr<FittedModel>> line =
      Linear().Fit(v1::ModelSpec(), x, y);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ((*line)->Parameters().size(), 2u);
  EXPECT_TRUE(Linear().info().cross_host);
  EXPECT_EQ(Linear().info().parameter_noun, "coefficient");
}

}  // namespace
}  // namespace scalebench::analysis::models
