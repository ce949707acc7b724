#include "cli/fit_request.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::HasSubstr;

TEST(ParseModelTest, KnowsEveryModel) {
  EXPECT_EQ(ParseModel("linear")->degree, 1);
  EXPECT_EQ(ParseModel("linear")->name, "linear");
  EXPECT_EQ(ParseModel("poly:3")->degree, 3);
  EXPECT_EQ(ParseModel("poly:3")->name, "poly:3");
  EXPECT_EQ(ParseModel("usl")->kind, ModelSpec::Kind::kUsl);
  EXPECT_EQ(ParseModel("amdahl")->kind, ModelSpec::Kind::kAmdahl);
  for (const char* bad : {"poly", "poly:0", "poly:x", "poly:11", "quadratic"}) {
    EXPECT_THAT(ParseModel(bad).status().message(),
                HasSubstr("--model must be linear, poly:D"))
        << bad;
  }
}

TEST(ParseFitRequestTest, ParsesBothFlagForms) {
  absl::StatusOr<FitRequest> request =
      ParseFitRequest({"--data", "r.csv", "--x=instances", "--y", "rps",
                       "--model=poly:2", "--by", "platform", "--json"});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->data, "r.csv");
  EXPECT_EQ(request->x, "instances");
  EXPECT_EQ(request->y, "rps");
  EXPECT_EQ(request->model.degree, 2);
  EXPECT_EQ(*request->by, "platform");
  EXPECT_TRUE(request->json);
  EXPECT_FALSE(request->train.has_value());
}

TEST(ParseFitRequestTest, HelpWinsOverEverything) {
  EXPECT_TRUE(ParseFitRequest({"--bogus", "--help"})->help);
  EXPECT_TRUE(ParseFitRequest({"--data", "x", "-h"})->help);
  EXPECT_FALSE(ParseFitRequest({"--bogus"}).ok());
}

TEST(ParseFitRequestTest, CommandLineMistakesAreNamed) {
  const std::vector<std::string> base = {"--data", "r.csv", "--x",    "n",
                                         "--y",    "rps",   "--model"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return ParseFitRequest(args).status();
  };
  EXPECT_THAT(ParseFitRequest({"--x", "n"}).status().message(),
              HasSubstr("--data is required"));
  EXPECT_THAT(with({"usl", "--frobnicate"}).message(),
              HasSubstr("unknown flag --frobnicate"));
  EXPECT_THAT(with({"usl", "--x", "m"}).message(),
              HasSubstr("--x is given twice"));
  EXPECT_THAT(with({"usl", "--by"}).message(), HasSubstr("--by needs a value"));
  EXPECT_THAT(with({"linear", "--train", "hosts=1"}).message(),
              HasSubstr("--train and --test go together"));
  EXPECT_THAT(
      with({"usl", "--train", "hosts=1", "--test", "hosts=2"}).message(),
      HasSubstr("need --model linear or poly:D"));
  EXPECT_THAT(with({"linear", "stray"}).message(),
              HasSubstr("unexpected argument 'stray'"));
  absl::StatusOr<FitRequest> ok =
      ParseFitRequest({"--data", "r.csv", "--x", "n", "--y", "rps", "--model",
                       "linear", "--train", "hosts=1", "--test", "hosts=2,3"});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->test->values().size(), 2u);
}

}  // namespace
}  // namespace scalebench::cli
