#include "coordinator/trials/fit_models.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

v1::TrialResult Result(uint32_t number, v1::Platform platform,
                       uint32_t instances, double rate) {
  v1::TrialResult t;
  t.mutable_key()->set_trial(
      absl::StrCat("experiments/exp-000001/trials/", number));
  t.mutable_configuration()->set_platform(platform);
  t.mutable_configuration()->set_instances(instances);
  t.mutable_configuration()->set_vcpus(1);
  t.mutable_merged()->mutable_latency()->set_sub_bucket_bits(7);
  t.set_requests_per_s(rate);
  return t;
}

v1::ModelSpec Linear(std::string x, std::vector<std::string> by = {}) {
  v1::ModelSpec model;
  model.set_fit(v1::MODEL_KIND_LINEAR);
  model.set_x(std::move(x));
  model.set_y("requests_per_s");
  for (std::string& b : by) model.add_by(std::move(b));
  return model;
}

double Parameter(const v1::ModelFit& fit, const std::string& name) {
  for (const v1::FittedParameter& p : fit.parameters()) {
    if (p.name() == name) return p.estimate();
  }
  ADD_FAILURE() << "no parameter " << name;
  return 0;
}

// native: 30, 50, 70 req/s at 1, 2, 3 instances, exactly 10 + 20 x; docker
// has one point, too few for a line.
std::vector<v1::TrialResult> Results() {
  return {Result(0, v1::PLATFORM_NATIVE, 1, 30),
          Result(1, v1::PLATFORM_DOCKER, 1, 25),
          Result(2, v1::PLATFORM_NATIVE, 2, 50),
          Result(3, v1::PLATFORM_NATIVE, 3, 70)};
}

TEST(FitSpecModelsTest, FitsEachModelPerGroupAndKeepsGroupErrors) {
  v1::ExperimentSpec spec;
  *spec.add_models() = Linear("instances", {"platform"});
  *spec.add_models() = Linear("vcpus_total");
  const std::vector<v1::ModelFit> fits = FitSpecModels(spec, Results());
  ASSERT_THAT(fits, SizeIs(3));

  EXPECT_THAT(fits[0].group(),
              UnorderedElementsAre(Pair("platform", "native")));
  EXPECT_EQ(fits[0].error(), "");
  EXPECT_EQ(fits[0].n(), 3u);
  EXPECT_NEAR(Parameter(fits[0], "b0"), 10, 1e-9);
  EXPECT_NEAR(Parameter(fits[0], "b1"), 20, 1e-9);

  EXPECT_THAT(fits[1].group(),
              UnorderedElementsAre(Pair("platform", "docker")));
  EXPECT_THAT(fits[1].error(), StartsWith("platform = docker"));

  // vcpus_total = instances x 1, over all four rows: x = 1, 1, 2, 3 and y =
  // 30, 25, 50, 70. Sxx = 2.75, Sxy = 58.75: b1 = 21.3636..., b0 = 43.75 -
  // b1 x 1.75 = 6.3636...
  EXPECT_EQ(fits[2].error(), "");
  EXPECT_NEAR(Parameter(fits[2], "b1"), 58.75 / 2.75, 1e-9);
  EXPECT_NEAR(Parameter(fits[2], "b0"), 43.75 - 1.75 * 58.75 / 2.75, 1e-9);
}

TEST(FitSpecModelsTest, AModelThatCannotBeFittedAtAllCarriesAnError) {
  v1::ExperimentSpec spec;
  *spec.add_models() = Linear("cores");
  *spec.add_models() = Linear("instances");
  const std::vector<v1::ModelFit> fits = FitSpecModels(spec, Results());
  ASSERT_THAT(fits, SizeIs(2));
  EXPECT_THAT(fits[0].error(), StartsWith("models[0].x: "));
  EXPECT_EQ(fits[0].spec().x(), "cores");
  EXPECT_EQ(fits[1].error(), "");
}

TEST(FitSpecModelsTest, UnreadableResultsFailEveryModelWithoutACrash) {
  std::vector<v1::TrialResult> results = Results();
  results[1].mutable_key()->set_trial("nonsense");
  v1::ExperimentSpec spec;
  *spec.add_models() = Linear("instances");
  const std::vector<v1::ModelFit> fits = FitSpecModels(spec, results);
  ASSERT_THAT(fits, SizeIs(1));
  EXPECT_THAT(fits[0].error(), HasSubstr("models[0]: trials[1]: key.trial"));
}

// Issue 25: a usl or amdahl model without `by` over an experiment with no
// result crashed the coordinator (in `results`, and when it concluded an
// experiment whose trials all failed). Every kind, with and without `by`,
// gets one fit saying there is nothing to fit.
TEST(FitSpecModelsTest, NoResultsGiveAnErrorPerModel) {
  v1::ExperimentSpec spec;
  for (v1::ModelKind kind : {v1::MODEL_KIND_LINEAR, v1::MODEL_KIND_POLY,
                             v1::MODEL_KIND_USL, v1::MODEL_KIND_AMDAHL}) {
    for (bool by : {false, true}) {
      v1::ModelSpec model =
          Linear("instances", by ? std::vector<std::string>{"platform"}
                                 : std::vector<std::string>{});
      model.set_fit(kind);
      if (kind == v1::MODEL_KIND_POLY) model.set_degree(2);
      *spec.add_models() = model;
    }
  }
  const std::vector<v1::ModelFit> fits = FitSpecModels(spec, {});
  ASSERT_THAT(fits, SizeIs(spec.models_size()));
  for (int i = 0; i < spec.models_size(); ++i) {
    EXPECT_EQ(fits[i].error(),
              absl::StrCat("models[", i,
                           "]: no rows to fit: there are no trial results"));
    EXPECT_EQ(fits[i].spec().fit(), spec.models(i).fit());
  }
}

// A kind no model is registered for (a newer API's, say) is stored as an
// error naming it, never fitted as another model.
TEST(FitSpecModelsTest, AnUnknownModelKindIsAnErrorNamingIt) {
  v1::ExperimentSpec spec;
  *spec.add_models() = Linear("instances");
  spec.mutable_models(0)->set_fit(static_cast<v1::ModelKind>(99));
  const std::vector<v1::ModelFit> fits = FitSpecModels(spec, Results());
  ASSERT_THAT(fits, SizeIs(1));
  EXPECT_EQ(fits[0].error(),
            "models[0].fit: unknown model kind '99'; the known ones are poly, "
            "linear, usl, amdahl");
  EXPECT_EQ(fits[0].parameters_size(), 0);
}

}  // namespace
}  // namespace scalebench::coordinator
