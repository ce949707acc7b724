#include "cli/fit_request.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseModelTest, KnowsEveryModel) {
  EXPECT_EQ(ParseModel("linear")->fit(), v1::MODEL_KIND_LINEAR);
  EXPECT_EQ(ParseModel("linear")->degree(), 0u);
  EXPECT_EQ(ParseModel("poly:3")->fit(), v1::MODEL_KIND_POLY);
  EXPECT_EQ(ParseModel("poly:3")->degree(), 3u);
  EXPECT_EQ(ParseModel("poly:10")->degree(), 10u);
  EXPECT_EQ(ParseModel("usl")->fit(), v1::MODEL_KIND_USL);
  EXPECT_EQ(ParseModel("amdahl")->fit(), v1::MODEL_KIND_AMDAHL);
  for (const char* bad : {"poly", "poly:0", "poly:x", "poly:11", "quadratic",
                          "usl:2", "POLY:2", "unspecified"}) {
    EXPECT_EQ(ParseModel(bad).status().message(),
              absl::StrCat("--model must be poly:D (2 <= D <= 10), linear, "
                           "usl or amdahl; got '",
                           bad, "'"));
  }
}

TEST(ParseModelTest, PolyOfDegreeOneIsSpelledLinear) {
  EXPECT_EQ(ParseModel("poly:1").status().message(),
            "--model poly:1 is the straight line: write --model linear");
}

TEST(ParseModelTest, FlagValueRoundTrips) {
  for (const char* model : {"linear", "poly:2", "poly:7", "usl", "amdahl"}) {
    EXPECT_EQ(ModelFlagValue(*ParseModel(model)), model);
  }
}

FitFlags Flags(std::string model) {
  FitFlags flags;
  flags.data = "r.csv";
  flags.x = "n";
  flags.y = "rps";
  flags.model = std::move(model);
  return flags;
}

TEST(MakeFitRequestTest, BuildsTheModelSpecFromTheFlags) {
  FitFlags flags = Flags("poly:2");
  flags.x = "instances";
  flags.by = "platform, hosts";
  flags.output = OutputFormat::kJson;
  absl::StatusOr<FitRequest> request = MakeFitRequest(flags);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->data, "r.csv");
  EXPECT_EQ(request->output, OutputFormat::kJson);
  const v1::ModelSpec& spec = request->spec;
  EXPECT_EQ(spec.x(), "instances");
  EXPECT_EQ(spec.y(), "rps");
  EXPECT_EQ(spec.fit(), v1::MODEL_KIND_POLY);
  EXPECT_EQ(spec.degree(), 2u);
  EXPECT_THAT(spec.by(), ElementsAre("platform", "hosts"));
  EXPECT_TRUE(spec.train().factors().empty());
  EXPECT_TRUE(spec.test().factors().empty());
}

TEST(MakeFitRequestTest, TrainAndTestBecomeRowFilters) {
  FitFlags flags = Flags("linear");
  flags.train = "hosts=1";
  flags.test = "hosts=2,3";
  absl::StatusOr<FitRequest> request = MakeFitRequest(flags);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(request->spec.train().factors().at("hosts").values(),
              ElementsAre("1"));
  EXPECT_THAT(request->spec.test().factors().at("hosts").values(),
              ElementsAre("2", "3"));
}

TEST(MakeFitRequestTest, MistakesAreNamedByTheirFlags) {
  auto message = [](FitFlags flags) {
    return std::string(MakeFitRequest(flags).status().message());
  };
  FitFlags empty_x = Flags("usl");
  empty_x.x = "";
  EXPECT_EQ(message(empty_x), "--x is empty");
  FitFlags by = Flags("usl");
  by.by = "platform,,hosts";
  EXPECT_EQ(message(by),
            "--by expects COLUMN[,COLUMN...]; got 'platform,,hosts'");
  by.by = "hosts,hosts";
  EXPECT_EQ(message(by), "--by: 'hosts' is named twice");
  FitFlags train_only = Flags("linear");
  train_only.train = "hosts=1";
  EXPECT_EQ(message(train_only),
            "--test: is required for a cross-host test: give --train and "
            "--test together, or neither");
  FitFlags usl_split = Flags("usl");
  usl_split.train = "hosts=1";
  usl_split.test = "hosts=2";
  EXPECT_THAT(message(usl_split),
              HasSubstr("--train: a cross-host test needs linear or poly"));
  FitFlags bad_test = Flags("linear");
  bad_test.test = "hosts";
  EXPECT_THAT(message(bad_test), HasSubstr("--test expects COLUMN=VALUE"));
}

TEST(FlagForFieldTest, ModelFieldsAreTheModelFlag) {
  EXPECT_EQ(FlagForField("fit"), "--model");
  EXPECT_EQ(FlagForField("degree"), "--model");
  EXPECT_EQ(FlagForField("x"), "--x");
  EXPECT_EQ(FlagForField("train"), "--train");
}

}  // namespace
}  // namespace scalebench::cli
