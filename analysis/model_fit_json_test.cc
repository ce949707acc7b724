#include "analysis/model_fit_json.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace scalebench::analysis {
namespace {

using nlohmann::json;

json FitJson(const v1::ModelFit& fit, FitSpecInJson spec) {
  JsonWriter w;
  WriteModelFitJson(fit, spec, w);
  return json::parse(w.str());
}

v1::ModelSpec PolySpec() {
  v1::ModelSpec spec;
  spec.set_fit(v1::MODEL_KIND_POLY);
  spec.set_degree(2);
  spec.set_x("instances");
  spec.set_y("requests_per_s");
  spec.add_by("platform");
  (*spec.mutable_train()->mutable_factors())["hosts"].add_values("1");
  (*spec.mutable_test()->mutable_factors())["hosts"].add_values("2");
  (*spec.mutable_test()->mutable_factors())["hosts"].add_values("3");
  return spec;
}

TEST(ModelSpecJsonTest, UsesProtoFieldNamesAndLowerCaseEnums) {
  JsonWriter w;
  WriteModelSpecJson(PolySpec(), w);
  const json spec = json::parse(w.str());
  EXPECT_EQ(spec["fit"], "poly");
  EXPECT_EQ(spec["degree"], 2);
  EXPECT_EQ(spec["x"], "instances");
  EXPECT_EQ(spec["y"], "requests_per_s");
  EXPECT_EQ(spec["by"], json::array({"platform"}));
  EXPECT_EQ(spec["train"]["factors"]["hosts"]["values"], json::array({"1"}));
  EXPECT_EQ(spec["test"]["factors"]["hosts"]["values"],
            json::array({"2", "3"}));

  v1::ModelSpec linear;
  linear.set_fit(v1::MODEL_KIND_LINEAR);
  JsonWriter w2;
  WriteModelSpecJson(linear, w2);
  const json line = json::parse(w2.str());
  EXPECT_EQ(line["fit"], "linear");
  EXPECT_TRUE(line["degree"].is_null());
  EXPECT_TRUE(line["train"].is_null());
  EXPECT_TRUE(line["test"].is_null());
  EXPECT_EQ(line["by"], json::array());
}

TEST(ModelFitJsonTest, AbsentStatisticsAreNullAndPresentOnesNumbers) {
  v1::ModelFit fit;
  *fit.mutable_spec() = PolySpec();
  (*fit.mutable_group())["platform"] = "docker";
  fit.set_n(5);
  fit.set_dof(2);
  v1::FittedParameter* b0 = fit.add_parameters();
  b0->set_name("b0");
  b0->set_estimate(1.5);
  b0->set_std_error(0.25);
  b0->set_ci_low(0.5);
  b0->set_ci_high(2.5);
  v1::FittedParameter* b1 = fit.add_parameters();
  b1->set_name("b1");
  b1->set_estimate(-3);
  fit.set_r2(0.75);
  fit.set_aic(12.5);
  fit.set_peak_x(6);
  fit.set_peak_y(820);
  fit.set_peak_beyond_data(true);
  v1::PredictionCheck* p = fit.mutable_cross_host()->add_predictions();
  p->set_x(8);
  p->set_measured(0);
  p->set_predicted(8.8);
  p->set_pi_low(-4);
  p->set_pi_high(22);
  p->set_inside(true);
  fit.mutable_cross_host()->set_rmse(8.8);
  fit.mutable_cross_host()->set_holds(true);
  fit.mutable_cross_host()->set_verdict("holds: ...");

  const json j = FitJson(fit, FitSpecInJson::kOmit);
  EXPECT_FALSE(j.contains("spec"));
  EXPECT_EQ(j["group"], json({{"platform", "docker"}}));
  EXPECT_EQ(j["n"], 5);
  EXPECT_EQ(j["dof"], 2);
  ASSERT_EQ(j["parameters"].size(), 2u);
  EXPECT_EQ(j["parameters"][0], json({{"name", "b0"},
                                      {"estimate", 1.5},
                                      {"std_error", 0.25},
                                      {"ci_low", 0.5},
                                      {"ci_high", 2.5}}));
  EXPECT_TRUE(j["parameters"][1]["std_error"].is_null());
  EXPECT_TRUE(j["parameters"][1]["ci_low"].is_null());
  EXPECT_EQ(j["r2"], 0.75);
  EXPECT_EQ(j["aic"], 12.5);
  for (const char* absent :
       {"adj_r2", "aicc", "residual_se", "loo_rmse", "fallback_x", "error"}) {
    ASSERT_TRUE(j.contains(absent)) << absent;
    EXPECT_TRUE(j[absent].is_null()) << absent;
  }
  EXPECT_EQ(j["peak_x"], 6);
  EXPECT_EQ(j["peak_y"], 820);
  EXPECT_EQ(j["peak_beyond_data"], true);
  const json& test = j["cross_host"];
  EXPECT_EQ(test["predictions"][0]["x"], 8);
  EXPECT_TRUE(test["predictions"][0]["relative_error"].is_null());
  EXPECT_EQ(test["predictions"][0]["inside"], true);
  EXPECT_EQ(test["holds"], true);
  EXPECT_EQ(test["verdict"], "holds: ...");
  EXPECT_EQ(test["outside"], 0);
  ASSERT_TRUE(test.contains("saturation"));
  EXPECT_TRUE(test["saturation"].is_null());
  fit.mutable_cross_host()->set_saturation(
      "from x = 8: ...: the balancer ran out");
  EXPECT_EQ(FitJson(fit, FitSpecInJson::kOmit)["cross_host"]["saturation"],
            "from x = 8: ...: the balancer ran out");

  EXPECT_EQ(FitJson(fit, FitSpecInJson::kInclude)["spec"]["fit"], "poly");
}

TEST(ModelFitJsonTest, AFailedFitHasNullsBesidesGroupNAndError) {
  v1::ModelFit fit;
  *fit.mutable_spec() = PolySpec();
  (*fit.mutable_group())["platform"] = "xen";
  fit.set_n(3);
  fit.set_error("platform = xen: all x values are equal");
  const json j = FitJson(fit, FitSpecInJson::kOmit);
  EXPECT_EQ(j["group"], json({{"platform", "xen"}}));
  EXPECT_EQ(j["n"], 3);
  EXPECT_EQ(j["error"], "platform = xen: all x values are equal");
  for (const char* key : {"dof", "parameters", "r2", "adj_r2", "aic", "aicc",
                          "residual_se", "loo_rmse", "peak_x", "peak_y",
                          "peak_beyond_data", "fallback_x", "cross_host"}) {
    ASSERT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j[key].is_null()) << key;
  }
}

TEST(ModelFitJsonTest, NoByGivesAnEmptyGroupObject) {
  v1::ModelFit fit;
  fit.mutable_spec()->set_fit(v1::MODEL_KIND_LINEAR);
  const json j = FitJson(fit, FitSpecInJson::kOmit);
  EXPECT_TRUE(j["group"].is_object());
  EXPECT_TRUE(j["group"].empty());
  EXPECT_TRUE(j["cross_host"].is_null());
}

}  // namespace
}  // namespace scalebench::analysis
