#include "analysis/model_registry.h"

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analysis/model_fit.h"
#include "analysis/models/models.h"
#include "api/enum_names.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr auto kUnknownKind = static_cast<v1::ModelKind>(99);

TEST(ModelRegistryTest, EveryKindOfTheApiHasExactlyOneModel) {
  const google::protobuf::EnumDescriptor& kinds =
      *google::protobuf::GetEnumDescriptor<v1::ModelKind>();
  for (int i = 0; i < kinds.value_count(); ++i) {
    const auto kind = static_cast<v1::ModelKind>(kinds.value(i)->number());
    if (kind == v1::MODEL_KIND_UNSPECIFIED) continue;
    absl::StatusOr<const Model*> model = FindModel(kind);
    ASSERT_TRUE(model.ok()) << kinds.value(i)->name() << ": " << model.status();
    EXPECT_EQ((*model)->kind(), kind);
  }
  EXPECT_EQ(Models().size(), static_cast<size_t>(kinds.value_count() - 1));
}

TEST(ModelRegistryTest, ModelsAreInKindOrder) {
  EXPECT_THAT(ModelNames(), ElementsAre("poly", "linear", "usl", "amdahl"));
  for (size_t i = 1; i < Models().size(); ++i) {
    EXPECT_LT(Models()[i - 1]->kind(), Models()[i]->kind());
  }
}

TEST(ModelRegistryTest, AnUnknownKindIsAnErrorNamingItAndTheKnownOnes) {
  absl::StatusOr<const Model*> model = FindModel(kUnknownKind);
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(model.status().message(),
            "unknown model kind '99'; the known ones are poly, linear, usl, "
            "amdahl");
  EXPECT_THAT(FindModel(v1::MODEL_KIND_UNSPECIFIED).status().message(),
              HasSubstr("unknown model kind '0'"));
  EXPECT_EQ(FindModelByName("quadratic"), nullptr);
  EXPECT_EQ(FindModelByName("usl"), &models::Usl());
}

TEST(ModelRegistryTest, AnUnknownKindIsNeverFittedAsAnotherModel) {
  v1::ModelSpec spec;
  spec.set_fit(kUnknownKind);
  spec.set_x("n");
  spec.set_y("rps");
  RowTable table = *RowTable::Create("t.csv", {"n", "rps"});
  for (int n = 1; n <= 5; ++n) {
    ASSERT_TRUE(table
                    .AddRow({Cell::FromNumber(n), Cell::FromNumber(100 * n)},
                            absl::StrCat("t.csv:", n + 1))
                    .ok());
  }
  EXPECT_EQ(ValidateModelSpec(spec).message(),
            "fit: unknown model kind '99'; the known ones are poly, linear, "
            "usl, amdahl");
  absl::StatusOr<std::vector<v1::ModelFit>> fits = ApplyModel(spec, table);
  EXPECT_EQ(fits.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(fits.status().message(), HasSubstr("unknown model kind '99'"));
  EXPECT_EQ(ModelName(spec), "");
}

// The spec of `model` its name spells: the kind alone, or with a degree.
v1::ModelSpec SpecOf(const Model& model) {
  absl::StatusOr<v1::ModelSpec> spec = model.ParseName(std::nullopt);
  if (!spec.ok()) spec = model.ParseName("2");
  EXPECT_TRUE(spec.ok()) << api::EnumName(model.kind());
  v1::ModelSpec out = spec.ok() ? *spec : v1::ModelSpec();
  out.set_x("n");
  out.set_y("rps");
  return out;
}

class EveryModelTest : public ::testing::TestWithParam<const Model*> {};

// Throughput of a system that peaks: the USL with lambda 1000, sigma 0.05,
// kappa 0.002, +-1% in a fixed pattern, two runs at each N.
RowTable PeakingSweep() {
  RowTable table = *RowTable::Create("sweep", {"n", "rps"});
  int line = 2;
  for (int rep = 0; rep < 2; ++rep) {
    for (double n : {1, 2, 3, 4, 6, 8, 12, 16, 24, 32}) {
      const double x = 1000 * n / (1 + 0.05 * (n - 1) + 0.002 * n * (n - 1));
      const double noise = 0.01 * ((line % 3) - 1);
      EXPECT_TRUE(
          table
              .AddRow({Cell::FromNumber(n), Cell::FromNumber(x * (1 + noise))},
                      absl::StrCat("sweep:", line++))
              .ok());
    }
  }
  return table;
}

// Name -> spec -> name, and fit -> parameters -> stored fit -> refit ->
// predict: the same numbers at every step.
TEST_P(EveryModelTest, RoundTripsFitPredictAndParameters) {
  const Model& model = *GetParam();
  const v1::ModelSpec spec = SpecOf(model);
  EXPECT_EQ(ModelName(spec), model.Name(spec));
  ASSERT_TRUE(ValidateModelSpec(spec).ok()) << ValidateModelSpec(spec);

  const RowTable table = PeakingSweep();
  absl::StatusOr<std::vector<v1::ModelFit>> fits = ApplyModel(spec, table);
  ASSERT_TRUE(fits.ok()) << fits.status();
  ASSERT_EQ(fits->size(), 1u);
  const v1::ModelFit& stored = fits->front();
  ASSERT_EQ(stored.error(), "");

  absl::StatusOr<Refit> refit = RefitStoredFit(stored, table);
  ASSERT_TRUE(refit.ok()) << refit.status();
  EXPECT_EQ(refit->n, 20);
  EXPECT_EQ(refit->x_min, 1);
  EXPECT_EQ(refit->x_max, 32);
  const FittedModel& fitted = *refit->model;
  const FitStatistics statistics = fitted.Statistics();
  EXPECT_EQ(statistics.n, static_cast<int>(stored.n()));
  EXPECT_EQ(statistics.dof, stored.dof());
  const std::vector<NamedEstimate> parameters = fitted.Parameters();
  ASSERT_EQ(parameters.size(), static_cast<size_t>(stored.parameters_size()));
  EXPECT_EQ(statistics.n - statistics.dof, static_cast<int>(parameters.size()));
  for (size_t i = 0; i < parameters.size(); ++i) {
    EXPECT_EQ(parameters[i].name, stored.parameters(i).name());
    EXPECT_DOUBLE_EQ(parameters[i].estimate.value,
                     stored.parameters(i).estimate());
    EXPECT_DOUBLE_EQ(parameters[i].estimate.std_error,
                     stored.parameters(i).std_error());
  }
  // The curve lies inside its intervals, the mean's inside the new
  // observation's, and goes through the fitted values.
  double rss = 0;
  for (size_t row = 0; row < table.row_count(); ++row) {
    const Prediction p = fitted.Predict(*table.cell(row, 0).number);
    EXPECT_LE(p.prediction.low, p.mean_ci.low);
    EXPECT_LT(p.mean_ci.low, p.fitted);
    EXPECT_LT(p.fitted, p.mean_ci.high);
    EXPECT_LE(p.mean_ci.high, p.prediction.high);
    rss += std::pow(*table.cell(row, 1).number - p.fitted, 2);
  }
  EXPECT_NEAR(std::sqrt(rss / statistics.dof), stored.residual_se(),
              1e-9 * stored.residual_se());
  EXPECT_EQ(fitted.Peak().has_value(), stored.has_peak_x());
  if (fitted.Peak().has_value()) {
    EXPECT_DOUBLE_EQ(fitted.Peak()->x, stored.peak_x());
    EXPECT_NEAR(fitted.Predict(stored.peak_x()).fitted, stored.peak_y(),
                1e-9 * stored.peak_y());
  }
  EXPECT_EQ(fitted.Fallback(), stored.has_fallback_x()
                                   ? std::optional(stored.fallback_x())
                                   : std::nullopt);
}

TEST_P(EveryModelTest, NameParsesBackAndWrongSpellingsAreRefused) {
  const Model& model = *GetParam();
  const v1::ModelSpec spec = SpecOf(model);
  const std::string name = model.Name(spec);
  const size_t colon = name.find(':');
  EXPECT_EQ(FindModelByName(name.substr(0, colon)), &model);
  absl::StatusOr<v1::ModelSpec> parsed = model.ParseName(
      colon == std::string::npos
          ? std::nullopt
          : std::optional<absl::string_view>(name.substr(colon + 1)));
  ASSERT_TRUE(parsed.ok()) << name;
  EXPECT_EQ(parsed->fit(), spec.fit());
  EXPECT_EQ(parsed->degree(), spec.degree());
  EXPECT_FALSE(model.ParseName("x").ok()) << name;
  EXPECT_TRUE(model.CheckSpec(spec, nullptr).ok()) << name;
  // Only a model that takes a degree accepts one, and the caller names
  // the field.
  if (!model.info().takes_degree) {
    v1::ModelSpec with_degree = spec;
    with_degree.set_degree(1);
    EXPECT_EQ(model
                  .CheckSpec(with_degree,
                             [](absl::string_view field) {
                               return absl::StrCat("models[0].", field);
                             })
                  .message(),
              absl::StrCat("models[0].degree: only poly takes a degree, not ",
                           name, "; got 1"));
  }
  EXPECT_FALSE(model.info().fallback_reference.empty()) << name;
}

INSTANTIATE_TEST_SUITE_P(
    Registered, EveryModelTest,
    ::testing::ValuesIn(Models().begin(), Models().end()),
    [](const ::testing::TestParamInfo<const Model*>& info) {
      return api::EnumName(info.param->kind());
    });

}  // namespace
}  // namespace scalebench::analysis
