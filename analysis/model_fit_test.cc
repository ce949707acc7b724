#include "analysis/model_fit.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

// t(0.975; 2) in closed form: (2q - 1) / sqrt(2 q (1 - q)) at q = 0.975.
const double kT2 = 0.95 / std::sqrt(2 * 0.975 * 0.025);

// A table read from "t.csv": the header on line 1, row i on line i + 2.
RowTable Table(const std::vector<std::string>& columns,
               const std::vector<std::vector<std::string>>& rows) {
  RowTable table = *RowTable::Create("t.csv", columns);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::vector<Cell> cells;
    for (const std::string& text : rows[i])
      cells.push_back(Cell::FromText(text));
    EXPECT_TRUE(
        table.AddRow(std::move(cells), absl::StrCat("t.csv:", i + 2)).ok());
  }
  return table;
}

v1::ModelSpec Spec(v1::ModelKind kind, int degree = 0) {
  v1::ModelSpec spec;
  spec.set_fit(kind);
  spec.set_degree(degree);
  spec.set_x("n");
  spec.set_y("rps");
  return spec;
}

void AddFactor(v1::RowFilter* filter, const std::string& name,
               std::vector<std::string> values) {
  for (const std::string& v : values) {
    (*filter->mutable_factors())[name].add_values(v);
  }
}

// The one fit of an ApplyModel call that must succeed with one group.
v1::ModelFit OnlyFit(const v1::ModelSpec& spec, const RowTable& table) {
  absl::StatusOr<std::vector<v1::ModelFit>> fits = ApplyModel(spec, table);
  EXPECT_TRUE(fits.ok()) << fits.status();
  if (!fits.ok() || fits->size() != 1) {
    ADD_FAILURE() << "expected one fit";
    return {};
  }
  return fits->front();
}

// The points (1, 1), (2, 3), (3, 2), (4, 5), worked by hand: x mean 2.5,
// Sxx 5, Sxy 5.5, so b1 = 1.1 and b0 = 0; residuals -0.1, 0.8, -1.3, 0.6,
// RSS 2.7 on 2 degrees of freedom; TSS 8.75.
constexpr double kRss = 2.7;
constexpr double kS2 = kRss / 2;

TEST(ApplyModelTest, LineMatchesTheHandWorkedFit) {
  const v1::ModelFit fit = OnlyFit(
      Spec(v1::MODEL_KIND_LINEAR),
      Table({"n", "rps"}, {{"1", "1"}, {"2", "3"}, {"3", "2"}, {"4", "5"}}));
  EXPECT_THAT(fit.error(), IsEmpty());
  EXPECT_EQ(fit.spec().fit(), v1::MODEL_KIND_LINEAR);
  EXPECT_THAT(fit.group(), IsEmpty());
  EXPECT_EQ(fit.n(), 4u);
  EXPECT_EQ(fit.dof(), 2);
  ASSERT_EQ(fit.parameters_size(), 2);
  const v1::FittedParameter& b0 = fit.parameters(0);
  const v1::FittedParameter& b1 = fit.parameters(1);
  EXPECT_EQ(b0.name(), "b0");
  EXPECT_EQ(b1.name(), "b1");
  EXPECT_NEAR(b0.estimate(), 0.0, 1e-12);
  EXPECT_NEAR(b1.estimate(), 1.1, 1e-12);
  EXPECT_NEAR(b0.std_error(), std::sqrt(kS2 * (0.25 + 2.5 * 2.5 / 5)), 1e-12);
  EXPECT_NEAR(b1.std_error(), std::sqrt(kS2 / 5), 1e-12);
  EXPECT_NEAR(b1.ci_low(), 1.1 - kT2 * std::sqrt(kS2 / 5), 1e-9);
  EXPECT_NEAR(b1.ci_high(), 1.1 + kT2 * std::sqrt(kS2 / 5), 1e-9);
  EXPECT_NEAR(fit.r2(), 1 - kRss / 8.75, 1e-12);
  EXPECT_NEAR(fit.adj_r2(), 1 - (kRss / 8.75) * 3 / 2, 1e-12);
  EXPECT_NEAR(fit.residual_se(), std::sqrt(kS2), 1e-12);
  // AIC with k = 3 (two coefficients and the variance).
  EXPECT_NEAR(fit.aic(), 6 + 4 * (std::log(2 * M_PI) + std::log(kRss / 4) + 1),
              1e-9);
  // Leverages 0.7, 0.3, 0.3, 0.7: LOO residuals e_i / (1 - h_i).
  const double loo[] = {-0.1 / 0.3, 0.8 / 0.7, -1.3 / 0.7, 0.6 / 0.3};
  double squares = 0;
  for (double e : loo) squares += e * e;
  EXPECT_NEAR(fit.loo_rmse(), std::sqrt(squares / 4), 1e-12);
}

TEST(ApplyModelTest, StatisticsThatDoNotExistAreUnset) {
  // AICc needs n > k + 1 = 4; a line has no peak and never falls back.
  const v1::ModelFit noisy = OnlyFit(
      Spec(v1::MODEL_KIND_LINEAR),
      Table({"n", "rps"}, {{"1", "1"}, {"2", "3"}, {"3", "2"}, {"4", "5"}}));
  EXPECT_TRUE(noisy.has_aic());
  EXPECT_FALSE(noisy.has_aicc());
  EXPECT_FALSE(noisy.has_peak_x());
  EXPECT_FALSE(noisy.has_peak_y());
  EXPECT_FALSE(noisy.peak_beyond_data());
  EXPECT_FALSE(noisy.has_fallback_x());
  EXPECT_FALSE(noisy.has_cross_host());
  // y = 3 + 2x exactly: the likelihood is unbounded, so there is no AIC.
  const v1::ModelFit exact = OnlyFit(
      Spec(v1::MODEL_KIND_LINEAR),
      Table({"n", "rps"},
            {{"1", "5"}, {"2", "7"}, {"3", "9"}, {"4", "11"}, {"5", "13"}}));
  EXPECT_NEAR(exact.parameters(0).estimate(), 3.0, 1e-12);
  EXPECT_NEAR(exact.parameters(1).estimate(), 2.0, 1e-12);
  EXPECT_FALSE(exact.has_aic());
  EXPECT_FALSE(exact.has_aicc());
  EXPECT_NEAR(exact.r2(), 1.0, 1e-12);
}

TEST(ApplyModelTest, PolynomialPeakAndFallbackAreInX) {
  // y = 100 + 240 x - 20 x^2 peaks at x = 6 (y = 820) and is symmetric
  // about it, so it is back at its value at the smallest x, 2, at x = 10
  // (at x = 1 it would be 11).
  std::vector<std::vector<std::string>> rows;
  for (int x = 2; x <= 9; ++x) {
    rows.push_back({absl::StrCat(x), absl::StrCat(100 + 240 * x - 20 * x * x)});
  }
  const v1::ModelFit fit =
      OnlyFit(Spec(v1::MODEL_KIND_POLY, 2), Table({"n", "rps"}, rows));
  ASSERT_THAT(fit.error(), IsEmpty());
  ASSERT_EQ(fit.parameters_size(), 3);
  EXPECT_EQ(fit.parameters(2).name(), "b2");
  EXPECT_NEAR(fit.parameters(2).estimate(), -20, 1e-9);
  EXPECT_NEAR(fit.peak_x(), 6, 1e-9);
  EXPECT_NEAR(fit.peak_y(), 820, 1e-7);
  EXPECT_FALSE(fit.peak_beyond_data());
  EXPECT_NEAR(fit.fallback_x(), 10, 1e-9);

  // Measured only at 1..4, the peak is an extrapolation.
  rows.clear();
  for (int x = 1; x <= 4; ++x) {
    rows.push_back({absl::StrCat(x), absl::StrCat(100 + 240 * x - 20 * x * x)});
  }
  const v1::ModelFit rising =
      OnlyFit(Spec(v1::MODEL_KIND_POLY, 2), Table({"n", "rps"}, rows));
  EXPECT_NEAR(rising.peak_x(), 6, 1e-9);
  EXPECT_TRUE(rising.peak_beyond_data());
  EXPECT_NEAR(rising.fallback_x(), 11, 1e-9);
}

double Usl(double lambda, double sigma, double kappa, double n) {
  return lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

TEST(ApplyModelTest, UslRecoversExactDataAndItsPeak) {
  // lambda 1000, sigma 0.05, kappa 0.001: N* = sqrt(0.95 / 0.001), and
  // X(N) = X(1) again at N = 0.95 / 0.001 = 950.
  std::vector<std::vector<std::string>> rows;
  for (double n : {1, 2, 4, 8, 16, 32, 64}) {
    rows.push_back(
        {absl::StrCat(n), Cell::FromNumber(Usl(1000, 0.05, 0.001, n)).text});
  }
  const v1::ModelFit fit =
      OnlyFit(Spec(v1::MODEL_KIND_USL), Table({"n", "rps"}, rows));
  ASSERT_THAT(fit.error(), IsEmpty());
  ASSERT_EQ(fit.parameters_size(), 3);
  EXPECT_EQ(fit.parameters(0).name(), "lambda");
  EXPECT_EQ(fit.parameters(1).name(), "sigma");
  EXPECT_EQ(fit.parameters(2).name(), "kappa");
  EXPECT_NEAR(fit.parameters(0).estimate(), 1000, 1e-4);
  EXPECT_NEAR(fit.parameters(1).estimate(), 0.05, 1e-8);
  EXPECT_NEAR(fit.parameters(2).estimate(), 0.001, 1e-9);
  EXPECT_NEAR(fit.peak_x(), std::sqrt(950.0), 1e-4);
  EXPECT_NEAR(fit.peak_y(), Usl(1000, 0.05, 0.001, std::sqrt(950.0)), 1e-3);
  EXPECT_FALSE(fit.peak_beyond_data());
  EXPECT_NEAR(fit.fallback_x(), 950, 1e-3);
  EXPECT_EQ(fit.dof(), 4);
  EXPECT_FALSE(fit.has_adj_r2());
  EXPECT_FALSE(fit.has_loo_rmse());
}

TEST(ApplyModelTest, AmdahlHasNoKappaNoPeakAndNoFallback) {
  std::vector<std::vector<std::string>> rows;
  for (double n : {1, 2, 4, 8, 16}) {
    rows.push_back(
        {absl::StrCat(n), Cell::FromNumber(Usl(500, 0.1, 0, n)).text});
  }
  const v1::ModelFit fit =
      OnlyFit(Spec(v1::MODEL_KIND_AMDAHL), Table({"n", "rps"}, rows));
  ASSERT_THAT(fit.error(), IsEmpty());
  ASSERT_EQ(fit.parameters_size(), 2);
  EXPECT_EQ(fit.parameters(0).name(), "lambda");
  EXPECT_EQ(fit.parameters(1).name(), "sigma");
  EXPECT_NEAR(fit.parameters(0).estimate(), 500, 1e-5);
  EXPECT_NEAR(fit.parameters(1).estimate(), 0.1, 1e-9);
  EXPECT_EQ(fit.dof(), 3);
  EXPECT_FALSE(fit.has_peak_x());
  EXPECT_FALSE(fit.has_fallback_x());
}

TEST(ApplyModelTest, GroupsByTwoColumnsInOrderOfFirstAppearance) {
  // docker/1: y = 10 + x; xen/1: y = 20 + 2x; docker/2: y = 30 + 3x.
  const RowTable table =
      Table({"platform", "hosts", "n", "rps"}, {{"docker", "1", "1", "11"},
                                                {"xen", "1", "1", "22"},
                                                {"docker", "1", "2", "12"},
                                                {"docker", "2", "1", "33"},
                                                {"xen", "1", "2", "24"},
                                                {"docker", "2", "2", "36"},
                                                {"docker", "1", "3", "13"},
                                                {"xen", "1", "3", "26"},
                                                {"docker", "2", "3", "39"}});
  v1::ModelSpec spec = Spec(v1::MODEL_KIND_LINEAR);
  spec.add_by("platform");
  spec.add_by("hosts");
  absl::StatusOr<std::vector<v1::ModelFit>> fits = ApplyModel(spec, table);
  ASSERT_TRUE(fits.ok()) << fits.status();
  ASSERT_EQ(fits->size(), 3u);
  const struct {
    const char* platform;
    const char* hosts;
    double b0;
    double b1;
  } expected[] = {
      {"docker", "1", 10, 1}, {"xen", "1", 20, 2}, {"docker", "2", 30, 3}};
  for (int i = 0; i < 3; ++i) {
    const v1::ModelFit& fit = (*fits)[i];
    EXPECT_THAT(fit.group(),
                UnorderedElementsAre(Pair("platform", expected[i].platform),
                                     Pair("hosts", expected[i].hosts)));
    EXPECT_EQ(GroupLabel(fit), absl::StrCat("platform = ", expected[i].platform,
                                            ", hosts = ", expected[i].hosts));
    EXPECT_EQ(fit.n(), 3u);
    ASSERT_EQ(fit.parameters_size(), 2) << fit.error();
    EXPECT_NEAR(fit.parameters(0).estimate(), expected[i].b0, 1e-9);
    EXPECT_NEAR(fit.parameters(1).estimate(), expected[i].b1, 1e-9);
  }
}

TEST(ApplyModelTest, AGroupThatCannotBeFittedGetsAnErrorNamingIt) {
  const RowTable table = Table({"platform", "n", "rps"}, {{"docker", "1", "3"},
                                                          {"docker", "2", "5"},
                                                          {"docker", "3", "8"},
                                                          {"xen", "1", "800"},
                                                          {"xen", "1", "810"},
                                                          {"xen", "1", "790"}});
  v1::ModelSpec spec = Spec(v1::MODEL_KIND_LINEAR);
  spec.add_by("platform");
  absl::StatusOr<std::vector<v1::ModelFit>> fits = ApplyModel(spec, table);
  ASSERT_TRUE(fits.ok()) << fits.status();
  ASSERT_EQ(fits->size(), 2u);
  EXPECT_THAT((*fits)[0].error(), IsEmpty());
  EXPECT_NEAR((*fits)[0].parameters(1).estimate(), 2.5, 1e-12);
  const v1::ModelFit& xen = (*fits)[1];
  EXPECT_THAT(xen.error(),
              StartsWith("platform = xen: all x values are equal (x = 1)"));
  EXPECT_EQ(xen.n(), 3u);
  EXPECT_EQ(xen.spec().by(0), "platform");
  EXPECT_EQ(xen.dof(), 0);
  EXPECT_EQ(xen.parameters_size(), 0);
  EXPECT_FALSE(xen.has_r2());
  EXPECT_FALSE(xen.has_residual_se());
}

// Every kind of model, and a cross-host test: the usl and amdahl cases
// dereferenced the largest x of no points before issue 25.
std::vector<v1::ModelSpec> EveryKindOfModel() {
  std::vector<v1::ModelSpec> specs = {
      Spec(v1::MODEL_KIND_LINEAR), Spec(v1::MODEL_KIND_POLY, 2),
      Spec(v1::MODEL_KIND_USL), Spec(v1::MODEL_KIND_AMDAHL)};
  v1::ModelSpec cross_host = Spec(v1::MODEL_KIND_LINEAR);
  AddFactor(cross_host.mutable_train(), "hosts", {"1"});
  AddFactor(cross_host.mutable_test(), "hosts", {"2"});
  specs.push_back(cross_host);
  return specs;
}

TEST(ApplyModelTest, WithoutByAnEmptyTableIsOneFitSayingThereAreNoRows) {
  for (const v1::ModelSpec& spec : EveryKindOfModel()) {
    absl::StatusOr<std::vector<v1::ModelFit>> fits =
        ApplyModel(spec, Table({"n", "rps", "hosts"}, {}));
    ASSERT_TRUE(fits.ok()) << fits.status();
    ASSERT_EQ(fits->size(), 1u) << spec.ShortDebugString();
    EXPECT_EQ((*fits)[0].error(), "no rows to fit") << spec.ShortDebugString();
    EXPECT_EQ((*fits)[0].n(), 0u);
    EXPECT_THAT((*fits)[0].group(), IsEmpty());
  }
}

TEST(ApplyModelTest, WithByAnEmptyTableHasNoGroupsToFit) {
  for (v1::ModelSpec spec : EveryKindOfModel()) {
    spec.add_by("platform");
    absl::StatusOr<std::vector<v1::ModelFit>> fits =
        ApplyModel(spec, Table({"platform", "n", "rps", "hosts"}, {}));
    ASSERT_TRUE(fits.ok()) << fits.status();
    EXPECT_THAT(*fits, IsEmpty()) << spec.ShortDebugString();
  }
}

// One row short of what each model needs (and a single row): an error on
// the fit naming the count, never a crash.
TEST(ApplyModelTest, TooFewRowsForEachModelAreAnErrorOnTheFit) {
  const std::vector<std::vector<std::string>> rows = {
      {"1", "10", "1"}, {"2", "18", "1"}, {"4", "30", "1"}, {"3", "20", "2"}};
  struct Case {
    v1::ModelSpec spec;
    size_t rows;
    const char* message;
  };
  const std::vector<v1::ModelSpec> kinds = EveryKindOfModel();
  const Case cases[] = {
      {kinds[0], 1,
       "needs at least 3 points (one residual degree of "
       "freedom); got 1"},
      {kinds[0], 2, "needs at least 3 points"},
      {kinds[1], 3, "needs at least 4 points"},
      {kinds[2], 1,
       "needs at least 4 points (one residual degree of "
       "freedom); got 1"},
      {kinds[2], 3, "needs at least 4 points"},
      {kinds[3], 1, "needs at least 3 points"},
      {kinds[3], 2, "needs at least 3 points"},
      // Two training rows (hosts = 1) and the test row (hosts = 2).
      {kinds[4], 4, "training rows: a straight line has 2 parameters"},
  };
  for (const Case& c : cases) {
    std::vector<std::vector<std::string>> some(rows.begin(),
                                               rows.begin() + c.rows);
    if (c.spec.has_train()) some.erase(some.begin() + 2);
    const v1::ModelFit fit =
        OnlyFit(c.spec, Table({"n", "rps", "hosts"}, some));
    EXPECT_THAT(fit.error(), HasSubstr(c.message)) << c.spec.ShortDebugString();
  }
}

TEST(ApplyModelTest, CrossHostTestPredictsTheTestRows) {
  // Trained on the hand-worked line (b0 0, b1 1.1, s^2 1.35, x mean 2.5,
  // Sxx 5); the prediction variance at x is s^2 (1 + 1/4 + (x-2.5)^2/5).
  const RowTable table =
      Table({"hosts", "n", "rps"}, {{"1", "1", "1"},
                                    {"1", "2", "3"},
                                    {"2", "6", "6.6"},
                                    {"1", "3", "2"},
                                    {"9", "5", "not measured"},
                                    {"2", "8", "100"},
                                    {"1", "4", "5"},
                                    {"3.0", "2", "0"}});
  v1::ModelSpec spec = Spec(v1::MODEL_KIND_LINEAR);
  AddFactor(spec.mutable_train(), "hosts", {"1"});
  AddFactor(spec.mutable_test(), "hosts", {"2", "3"});
  const v1::ModelFit fit = OnlyFit(spec, table);
  ASSERT_THAT(fit.error(), IsEmpty());
  EXPECT_EQ(fit.n(), 4u);
  EXPECT_NEAR(fit.parameters(1).estimate(), 1.1, 1e-12);
  ASSERT_TRUE(fit.has_cross_host());
  const v1::CrossHostTest& test = fit.cross_host();
  ASSERT_EQ(test.predictions_size(), 3);
  const v1::PredictionCheck& at6 = test.predictions(0);
  EXPECT_EQ(at6.x(), 6);
  EXPECT_EQ(at6.measured(), 6.6);
  EXPECT_NEAR(at6.predicted(), 6.6, 1e-12);
  EXPECT_NEAR(at6.relative_error(), 0, 1e-12);
  const double half = kT2 * std::sqrt(kS2 * (1.25 + 3.5 * 3.5 / 5));
  EXPECT_NEAR(at6.pi_low(), 6.6 - half, 1e-9);
  EXPECT_NEAR(at6.pi_high(), 6.6 + half, 1e-9);
  EXPECT_TRUE(at6.inside());
  const v1::PredictionCheck& at8 = test.predictions(1);
  EXPECT_NEAR(at8.relative_error(), (100 - 8.8) / 100, 1e-12);
  EXPECT_FALSE(at8.inside());
  // Measured 0: no relative error, but inside [2.2 -/+ 5.7].
  const v1::PredictionCheck& at2 = test.predictions(2);
  EXPECT_FALSE(at2.has_relative_error());
  EXPECT_TRUE(at2.inside());
  EXPECT_EQ(test.outside(), 1u);
  // One miss among three: P(Binomial(3, 0.05) >= 1) = 1 - 0.95^3.
  EXPECT_NEAR(test.miss_probability(), 1 - 0.95 * 0.95 * 0.95, 1e-12);
  // The predictions hold, but four training rows leave the slope's
  // interval (1.1 -/+ 4.303 sqrt(1.35 / 5)) across zero.
  EXPECT_TRUE(test.predictions_hold());
  EXPECT_EQ(test.growth(), v1::CROSS_HOST_GROWTH_NOT_SHOWN);
  EXPECT_FALSE(test.holds());
  EXPECT_THAT(test.verdict(),
              StartsWith("growth not shown: each n adds 1.10 rps (95% "
                         "interval -1.14 to 3.34), an interval that includes "
                         "zero; the predictions hold: 2 of 3"));
  EXPECT_NEAR(test.rmse(), std::sqrt((91.2 * 91.2 + 2.2 * 2.2) / 3), 1e-9);
}

TEST(ApplyModelTest, CrossHostWithTwoFactorsAndMissesDoesNotHold) {
  const RowTable table =
      Table({"platform", "hosts", "n", "rps"}, {{"docker", "1", "1", "1"},
                                                {"docker", "1", "2", "3"},
                                                {"docker", "1", "3", "2"},
                                                {"docker", "1", "4", "5"},
                                                {"xen", "1", "5", "1000"},
                                                {"docker", "2", "8", "100"},
                                                {"docker", "2", "9", "-100"}});
  v1::ModelSpec spec = Spec(v1::MODEL_KIND_LINEAR);
  AddFactor(spec.mutable_train(), "hosts", {"1"});
  AddFactor(spec.mutable_train(), "platform", {"docker"});
  AddFactor(spec.mutable_test(), "hosts", {"2"});
  const v1::ModelFit fit = OnlyFit(spec, table);
  ASSERT_THAT(fit.error(), IsEmpty());
  EXPECT_EQ(fit.n(), 4u);  // the xen row matches neither
  EXPECT_EQ(fit.cross_host().outside(), 2u);
  EXPECT_NEAR(fit.cross_host().miss_probability(), 0.05 * 0.05, 1e-12);
  EXPECT_FALSE(fit.cross_host().predictions_hold());
  EXPECT_FALSE(fit.cross_host().holds());
  EXPECT_THAT(fit.cross_host().verdict(),
              HasSubstr("; the predictions do not hold: only 0 of 2"));
}

TEST(ApplyModelTest, GroupWithoutTestRowsGetsAnError) {
  const RowTable table =
      Table({"platform", "hosts", "n", "rps"}, {{"docker", "1", "1", "1"},
                                                {"docker", "1", "2", "3"},
                                                {"docker", "1", "3", "2"},
                                                {"docker", "2", "4", "5"},
                                                {"xen", "1", "1", "1"},
                                                {"xen", "1", "2", "3"},
                                                {"xen", "1", "3", "2"}});
  v1::ModelSpec spec = Spec(v1::MODEL_KIND_LINEAR);
  spec.add_by("platform");
  AddFactor(spec.mutable_train(), "hosts", {"1"});
  AddFactor(spec.mutable_test(), "hosts", {"2"});
  absl::StatusOr<std::vector<v1::ModelFit>> fits = ApplyModel(spec, table);
  ASSERT_TRUE(fits.ok()) << fits.status();
  ASSERT_EQ(fits->size(), 2u);
  EXPECT_THAT((*fits)[0].error(), IsEmpty());
  EXPECT_EQ((*fits)[1].error(),
            "platform = xen: there are no test rows to predict");
  EXPECT_EQ((*fits)[1].n(), 3u);
  EXPECT_FALSE((*fits)[1].has_cross_host());
}

// The message of ApplyModel's error on `spec` over a small valid table.
std::string ErrorFor(const v1::ModelSpec& spec,
                     const ApplyModelOptions& options = {}) {
  const RowTable table =
      Table({"hosts", "n", "rps"},
            {{"1", "1", "1"}, {"1", "2", "3"}, {"2", "3", "2"}});
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      ApplyModel(spec, table, options);
  EXPECT_EQ(fits.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(fits.status().message());
}

TEST(ApplyModelTest, InvalidSpecsNameTheField) {
  EXPECT_EQ(ErrorFor(Spec(v1::MODEL_KIND_UNSPECIFIED)),
            "fit: must be one of poly, linear, usl, amdahl");
  EXPECT_THAT(ErrorFor(Spec(v1::MODEL_KIND_POLY, 1)),
              StartsWith("degree: 1 is the straight line"));
  EXPECT_THAT(ErrorFor(Spec(v1::MODEL_KIND_POLY, 0)),
              StartsWith("degree: poly needs a degree from 2 to 10; got 0"));
  EXPECT_THAT(ErrorFor(Spec(v1::MODEL_KIND_POLY, 11)), StartsWith("degree: "));
  EXPECT_THAT(ErrorFor(Spec(v1::MODEL_KIND_LINEAR, 1)),
              StartsWith("degree: only poly takes a degree"));
  v1::ModelSpec spec = Spec(v1::MODEL_KIND_LINEAR);
  spec.clear_y();
  EXPECT_EQ(ErrorFor(spec), "y: is required");
  spec = Spec(v1::MODEL_KIND_LINEAR);
  spec.add_by("hosts");
  spec.add_by("hosts");
  EXPECT_EQ(ErrorFor(spec), "by: 'hosts' is named twice");
  spec = Spec(v1::MODEL_KIND_LINEAR);
  AddFactor(spec.mutable_train(), "hosts", {"1"});
  EXPECT_THAT(ErrorFor(spec), StartsWith("test: is required"));
  spec.set_fit(v1::MODEL_KIND_USL);
  AddFactor(spec.mutable_test(), "hosts", {"2"});
  EXPECT_THAT(ErrorFor(spec),
              StartsWith("train: a cross-host test needs linear or poly"));
}

TEST(ApplyModelTest, ColumnsMissingFromTheTableNameTheField) {
  v1::ModelSpec spec = Spec(v1::MODEL_KIND_LINEAR);
  spec.set_x("vcpus");
  EXPECT_EQ(ErrorFor(spec),
            "x: no column named 'vcpus' in t.csv (the columns are: hosts, n, "
            "rps)");
  spec = Spec(v1::MODEL_KIND_LINEAR);
  spec.add_by("platform");
  EXPECT_THAT(ErrorFor(spec), StartsWith("by: no column named 'platform'"));
  spec = Spec(v1::MODEL_KIND_LINEAR);
  AddFactor(spec.mutable_train(), "hosts", {"1"});
  AddFactor(spec.mutable_test(), "racks", {"2"});
  EXPECT_THAT(ErrorFor(spec), StartsWith("test: no column named 'racks'"));
}

TEST(ApplyModelTest, FieldNamesCanBeChosenByTheCaller) {
  ApplyModelOptions options;
  options.field_name = [](absl::string_view field) {
    return absl::StrCat("models[2].", field);
  };
  v1::ModelSpec spec = Spec(v1::MODEL_KIND_POLY, 1);
  EXPECT_THAT(ErrorFor(spec, options), StartsWith("models[2].degree: "));
  spec = Spec(v1::MODEL_KIND_LINEAR);
  spec.set_y("latency");
  EXPECT_THAT(ErrorFor(spec, options),
              StartsWith("models[2].y: no column named 'latency'"));
}

TEST(ApplyModelTest, MalformedRowsNameTheirOrigin) {
  EXPECT_EQ(
      ApplyModel(Spec(v1::MODEL_KIND_LINEAR),
                 Table({"n", "rps"}, {{"1", "10"}, {"2", "fast"}, {"3", "30"}}))
          .status()
          .message(),
      "t.csv:3: column 'rps' holds 'fast', which is not a number");
  v1::ModelSpec spec = Spec(v1::MODEL_KIND_LINEAR);
  AddFactor(spec.mutable_train(), "hosts", {"1"});
  AddFactor(spec.mutable_test(), "hosts", {"1.0", "2"});
  EXPECT_EQ(ErrorFor(spec),
            "t.csv:2: the row matches both train hosts=1 and test hosts=1.0,2");
}

}  // namespace
}  // namespace scalebench::analysis
