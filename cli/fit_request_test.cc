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

TEST(ParseFitRequestTest, ParsesBothFlagFormsIntoAModelSpec) {
  absl::StatusOr<FitRequest> request =
      ParseFitRequest({"--data", "r.csv", "--x=instances", "--y", "rps",
                       "--model=poly:2", "--by", "platform, hosts", "--json"});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->data, "r.csv");
  EXPECT_TRUE(request->json);
  const v1::ModelSpec& spec = request->spec;
  EXPECT_EQ(spec.x(), "instances");
  EXPECT_EQ(spec.y(), "rps");
  EXPECT_EQ(spec.fit(), v1::MODEL_KIND_POLY);
  EXPECT_EQ(spec.degree(), 2u);
  EXPECT_THAT(spec.by(), ElementsAre("platform", "hosts"));
  EXPECT_TRUE(spec.train().factors().empty());
  EXPECT_TRUE(spec.test().factors().empty());
}

TEST(ParseFitRequestTest, TrainAndTestBecomeRowFilters) {
  absl::StatusOr<FitRequest> request =
      ParseFitRequest({"--data", "r.csv", "--x", "n", "--y", "rps", "--model",
                       "linear", "--train", "hosts=1", "--test", "hosts=2,3"});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(request->spec.train().factors().at("hosts").values(),
              ElementsAre("1"));
  EXPECT_THAT(request->spec.test().factors().at("hosts").values(),
              ElementsAre("2", "3"));
}

TEST(ParseFitRequestTest, HelpWinsOverEverything) {
  EXPECT_TRUE(ParseFitRequest({"--bogus", "--help"})->help);
  EXPECT_TRUE(ParseFitRequest({"--data", "x", "-h"})->help);
  EXPECT_FALSE(ParseFitRequest({"--bogus"}).ok());
}

TEST(ParseFitRequestTest, CommandLineMistakesAreNamedByTheirFlags) {
  const std::vector<std::string> base = {"--data", "r.csv", "--x",    "n",
                                         "--y",    "rps",   "--model"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return std::string(ParseFitRequest(args).status().message());
  };
  EXPECT_THAT(std::string(ParseFitRequest({"--x", "n"}).status().message()),
              HasSubstr("--data is required"));
  EXPECT_THAT(with({"usl", "--frobnicate"}),
              HasSubstr("unknown flag --frobnicate"));
  EXPECT_THAT(with({"usl", "--x", "m"}), HasSubstr("--x is given twice"));
  EXPECT_THAT(with({"usl", "--by"}), HasSubstr("--by needs a value"));
  EXPECT_EQ(with({"usl", "--by", "platform,,hosts"}),
            "--by expects COLUMN[,COLUMN...]; got 'platform,,hosts'");
  EXPECT_EQ(with({"usl", "--by", "hosts,hosts"}),
            "--by: 'hosts' is named twice");
  EXPECT_EQ(with({"linear", "--train", "hosts=1"}),
            "--test: is required for a cross-host test: give --train and "
            "--test together, or neither");
  EXPECT_THAT(with({"usl", "--train", "hosts=1", "--test", "hosts=2"}),
              HasSubstr("--train: a cross-host test needs linear or poly"));
  EXPECT_THAT(with({"linear", "--test", "hosts"}),
              HasSubstr("--test expects COLUMN=VALUE"));
  EXPECT_THAT(with({"linear", "stray"}),
              HasSubstr("unexpected argument 'stray'"));
}

TEST(FlagForFieldTest, ModelFieldsAreTheModelFlag) {
  EXPECT_EQ(FlagForField("fit"), "--model");
  EXPECT_EQ(FlagForField("degree"), "--model");
  EXPECT_EQ(FlagForField("x"), "--x");
  EXPECT_EQ(FlagForField("train"), "--train");
}

}  // namespace
}  // namespace scalebench::cli
