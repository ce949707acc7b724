#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analysis/model.h"
#include "analysis/model_fit.h"
#include "analysis/model_registry.h"
#include "cli/app.h"
#include "cli/csv.h"
#include "cli/fit_request.h"
#include "common/exit_codes.h"
#include "common/fake_clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "report/report_data.h"
#include "report/report_test_util.h"
#include "results/trial_rows.h"

namespace scalebench::cli {
namespace {

using ::nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

class FitCommandTest : public ::testing::Test {
 protected:
  // Writes `contents` to a file in the test's temp dir and returns its path.
  std::string WriteCsv(const std::string& name, const std::string& contents) {
    const std::string path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << contents;
    return path;
  }

  // Runs `fit --data FILE --model MODEL` on a file `name` holding
  // `contents`, expecting success; returns what it printed.
  std::string FitText(const std::string& name, const std::string& contents,
                      const std::string& model) {
    EXPECT_EQ(Run({"--data", WriteCsv(name, contents), "--model", model}),
              kExitOk)
        << err_.str();
    return out_.str();
  }

  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), {"fit", "--x", "n", "--y", "rps"});
    return Main(args, out_, err_, clock_);
  }

  std::ostringstream out_;
  std::ostringstream err_;
  FakeClock clock_;
};

constexpr char kSweep[] =
    "platform,n,rps,hosts\n"
    "docker,1,1000,1\n"
    "docker,2,1900,1\n"
    "docker,3,2650,1\n"
    "docker,4,3300,1\n"
    "docker,5,3700,1\n"
    "docker,6,3950,1\n"
    "xen,1,800,1\n"
    "xen,1,810,1\n"
    "xen,1,790,1\n"
    "xen,1,805,1\n";

// Every key of a fit object in `fit --output json`, in order.
const std::vector<std::string> kFitKeys = {"group",
                                           "n",
                                           "dof",
                                           "parameters",
                                           "r2",
                                           "adj_r2",
                                           "aic",
                                           "aicc",
                                           "residual_se",
                                           "loo_rmse",
                                           "peak_x",
                                           "peak_y",
                                           "peak_beyond_data",
                                           "fallback_x",
                                           "cross_host",
                                           "error"};

std::vector<std::string> Keys(const json& object) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.push_back(key);
  return keys;
}

TEST_F(FitCommandTest, JsonWithoutByIsOneFitWithAnEmptyGroup) {
  // y = 3 + 2x exactly.
  const std::string csv =
      WriteCsv("line.csv", "n,rps\n1,5\n2,7\n3,9\n4,11\n5,13\n");
  ASSERT_EQ(Run({"--data", csv, "--model", "linear", "--output", "json"}),
            kExitOk)
      << err_.str();
  const json doc = json::parse(out_.str());
  EXPECT_THAT(Keys(doc), UnorderedElementsAre("spec", "fits"));
  EXPECT_EQ(doc["spec"]["fit"], "linear");
  EXPECT_TRUE(doc["spec"]["degree"].is_null());
  EXPECT_EQ(doc["spec"]["x"], "n");
  EXPECT_EQ(doc["spec"]["y"], "rps");
  EXPECT_EQ(doc["spec"]["by"], json::array());
  EXPECT_TRUE(doc["spec"]["train"].is_null());
  ASSERT_EQ(doc["fits"].size(), 1u);
  const json& fit = doc["fits"][0];
  EXPECT_THAT(Keys(fit), UnorderedElementsAreArray(kFitKeys));
  EXPECT_EQ(fit["group"], json::object());
  EXPECT_EQ(fit["n"], 5);
  EXPECT_EQ(fit["dof"], 3);
  ASSERT_EQ(fit["parameters"].size(), 2u);
  EXPECT_EQ(fit["parameters"][0]["name"], "b0");
  EXPECT_NEAR(fit["parameters"][0]["estimate"].get<double>(), 3, 1e-9);
  EXPECT_EQ(fit["parameters"][1]["name"], "b1");
  EXPECT_NEAR(fit["parameters"][1]["estimate"].get<double>(), 2, 1e-9);
  EXPECT_NEAR(fit["r2"].get<double>(), 1, 1e-12);
  // A perfect fit has no AIC; a line has no peak and does not fall back.
  for (const char* absent : {"aic", "aicc", "peak_x", "peak_y", "fallback_x",
                             "cross_host", "error"}) {
    EXPECT_TRUE(fit[absent].is_null()) << absent;
  }
  EXPECT_EQ(fit["peak_beyond_data"], false);
}

TEST_F(FitCommandTest, JsonWithByHasTheSameShapeWithOneFitPerGroup) {
  // docker/1: y = 10 + x; xen/1: x constant; docker/2: y = 30 + 3x.
  const std::string csv =
      WriteCsv("groups.csv",
               "platform,hosts,n,rps\n"
               "docker,1,1,11\nxen,1,1,22\ndocker,1,2,12\ndocker,2,1,33\n"
               "xen,1,1,24\ndocker,2,2,36\ndocker,1,3,13\nxen,1,1,26\n"
               "docker,2,3,39\n");
  EXPECT_EQ(Run({"--data", csv, "--model", "linear", "--by", "platform,hosts",
                 "--output", "json"}),
            kExitBadInput);  // xen cannot be fitted
  const json doc = json::parse(out_.str());
  EXPECT_THAT(Keys(doc), UnorderedElementsAre("spec", "fits"));
  EXPECT_EQ(doc["spec"]["by"], json::array({"platform", "hosts"}));
  ASSERT_EQ(doc["fits"].size(), 3u);
  for (const json& fit : doc["fits"]) {
    EXPECT_THAT(Keys(fit), UnorderedElementsAreArray(kFitKeys));
  }
  const json& docker1 = doc["fits"][0];
  EXPECT_EQ(docker1["group"], json({{"platform", "docker"}, {"hosts", "1"}}));
  EXPECT_NEAR(docker1["parameters"][0]["estimate"].get<double>(), 10, 1e-9);
  EXPECT_NEAR(docker1["parameters"][1]["estimate"].get<double>(), 1, 1e-9);
  EXPECT_TRUE(docker1["error"].is_null());
  const json& xen = doc["fits"][1];
  EXPECT_EQ(xen["group"], json({{"platform", "xen"}, {"hosts", "1"}}));
  EXPECT_EQ(xen["n"], 3);
  EXPECT_THAT(xen["error"].get<std::string>(),
              HasSubstr("platform = xen, hosts = 1: all x values are equal"));
  EXPECT_TRUE(xen["parameters"].is_null());
  EXPECT_TRUE(xen["r2"].is_null());
  const json& docker2 = doc["fits"][2];
  EXPECT_EQ(docker2["group"], json({{"platform", "docker"}, {"hosts", "2"}}));
  EXPECT_NEAR(docker2["parameters"][0]["estimate"].get<double>(), 30, 1e-9);
  EXPECT_NEAR(docker2["parameters"][1]["estimate"].get<double>(), 3, 1e-9);
  EXPECT_THAT(err_.str(),
              HasSubstr(": platform = xen, hosts = 1: all x values are equal"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("nan")));
}

TEST_F(FitCommandTest, TextNamesEachGroupAndItsError) {
  const std::string csv = WriteCsv("sweep.csv", kSweep);
  EXPECT_EQ(Run({"--data", csv, "--model", "poly:2", "--by", "platform"}),
            kExitBadInput);
  EXPECT_THAT(out_.str(), HasSubstr("poly:2 fit of rps on n (" + csv +
                                    ", platform = docker)\n  6 rows"));
  EXPECT_THAT(out_.str(), HasSubstr("b2 (x^2)"));
  EXPECT_THAT(out_.str(),
              HasSubstr("(" + csv +
                        ", platform = xen)\n  error: all x values are equal"));
}

TEST_F(FitCommandTest, UslTextReport) {
  const std::string text =
      FitText("usl.csv",
              "n,rps\n1,64.9\n18,995.9\n36,1652.4\n72,1853.2\n108,1828.9\n"
              "144,1775.0\n216,1702.2\n",
              "usl");
  EXPECT_THAT(text, HasSubstr("usl fit of rps on n"));
  EXPECT_THAT(text, HasSubstr("lambda"));
  EXPECT_THAT(text, HasSubstr("kappa"));
  EXPECT_THAT(text, HasSubstr("peak"));
  EXPECT_THAT(text, HasSubstr("on 4 degrees of freedom"));
  // SPEC SDM91 peaks inside the measured range (N* is about 96).
  EXPECT_THAT(text, Not(HasSubstr("beyond the data")));
  EXPECT_THAT(err_.str(), IsEmpty());
}

TEST_F(FitCommandTest, UslPeakPastTheLargestNIsMarkedAsExtrapolation) {
  EXPECT_THAT(FitText("rising.csv",
                      "n,rps\n1,955\n2,1878\n3,2688\n4,3548\n5,4315\n"
                      "6,5000\n7,5600\n8,6200\n",
                      "usl"),
              HasSubstr("(beyond the data)"));
}

TEST_F(FitCommandTest, CrossHostReportsAVerdict) {
  const std::string csv =
      WriteCsv("hosts.csv",
               "n,rps,hosts\n1,1010,1\n1,990,1\n2,2005,1\n2,1995,1\n3,3010,1\n"
               "3,2990,1\n4,4000,1\n6,4500,2\n8,6000,2\n12,9000,3\n");
  EXPECT_EQ(Run({"--data", csv, "--model", "linear", "--train", "hosts=1",
                 "--test", "hosts=2,3", "--output", "json"}),
            kExitOk)
      << err_.str();
  const json doc = json::parse(out_.str());
  EXPECT_EQ(doc["spec"]["train"]["factors"]["hosts"]["values"],
            json::array({"1"}));
  EXPECT_EQ(doc["spec"]["test"]["factors"]["hosts"]["values"],
            json::array({"2", "3"}));
  const json& fit = doc["fits"][0];
  EXPECT_EQ(fit["n"], 7);
  const json& test = fit["cross_host"];
  ASSERT_EQ(test["predictions"].size(), 3u);
  EXPECT_EQ(test["predictions"][0]["x"], 6);
  EXPECT_EQ(test["predictions"][0]["measured"], 4500);
  EXPECT_EQ(test["holds"], false);
  EXPECT_THAT(test["verdict"].get<std::string>(), StartsWith("does not hold"));
  EXPECT_EQ(Run({"--data", csv, "--model", "linear", "--train", "hosts=1",
                 "--test", "hosts=2,3"}),
            kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("trained on hosts=1 (7 rows), tested on "
                                    "hosts=2,3 (3 rows)"));
  // The verdict is a line of its own, unindented; no saturation line
  // without an experiment's core usage.
  EXPECT_THAT(out_.str(), HasSubstr("\nverdict: does not hold"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("saturation:")));
  EXPECT_TRUE(test["saturation"].is_null());
}

TEST_F(FitCommandTest, DegenerateInputsExitTwoWithAMessageAndNoOutput) {
  struct Case {
    std::string csv;
    std::vector<std::string> flags;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"n,rps\n1,10\n2,20\n", {"--model", "linear"}, "needs at least 3 points"},
      {"n,rps\n3,10\n3,20\n3,25\n",
       {"--model", "linear"},
       "all x values are equal"},
      {"n,rps\n1,10\n2,-5\n3,30\n4,35\n",
       {"--model", "usl"},
       "non-positive throughput y = -5 at point 2"},
      {"n,rps\n1,10\n2,x\n3,30\n",
       {"--model", "linear"},
       ":3: column 'rps' holds 'x', which is not a number"},
      {"n,other\n1,10\n",
       {"--model", "linear"},
       "--y: no column named 'rps' in "},
      {"n,rps\n1,10\n2,20\n3,33\n",
       {"--model", "cubic"},
       "--model must be poly:D (2 <= D <= 10), linear, usl or amdahl"},
      {"n,rps\n1,10\n2,20\n3,33\n",
       {"--model", "poly:1"},
       "write --model linear"},
      {"n,rps,hosts\n1,10,1\n2,20,1\n3,33,1\n",
       {"--model", "linear", "--train", "hosts=1", "--test", "racks=2"},
       "--test: no column named 'racks'"},
      {"n,rps,hosts\n1,10,1\n2,20,1\n3,33,1\n",
       {"--model", "linear", "--train", "hosts=1", "--test", "hosts=1,2"},
       ":2: the row matches both --train hosts=1 and --test hosts=1,2"},
  };
  int i = 0;
  for (const Case& c : cases) {
    const std::string csv =
        WriteCsv("bad" + std::to_string(i++) + ".csv", c.csv);
    std::vector<std::string> args = {"--data", csv};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    EXPECT_EQ(Run(args), kExitBadInput) << c.message;
    EXPECT_THAT(err_.str(), HasSubstr(c.message));
    EXPECT_THAT(out_.str(), IsEmpty()) << c.message;
  }
  EXPECT_EQ(Run({"--data", "/nonexistent.csv", "--model", "linear"}),
            kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("/nonexistent.csv: no such file"));
}

// Issue 25: with a header and no rows, usl and amdahl crashed (SIGSEGV)
// where linear and poly exited 2.
TEST_F(FitCommandTest, AHeaderOnlyFileExitsTwoSayingThereAreNoRows) {
  const std::string csv = WriteCsv("header-only.csv", "platform,n,rps\n");
  for (const char* model : {"linear", "poly:2", "usl", "amdahl"}) {
    for (bool by : {false, true}) {
      std::vector<std::string> args = {"--data", csv, "--model", model};
      if (by) args.insert(args.end(), {"--by", "platform"});
      EXPECT_EQ(Run(args), kExitBadInput) << model << " by " << by;
      EXPECT_EQ(err_.str(), "scalebench fit: " + csv + ": no rows to fit\n")
          << model << " by " << by;
      EXPECT_THAT(out_.str(), IsEmpty());
    }
  }
}

// Issue 25: /dev/zero aborted with bad_alloc, a directory was "empty", and
// CR-only line endings were read in quadratic time.
TEST_F(FitCommandTest, WhatIsNotACsvFileExitsTwoNamingIt) {
  const std::string big = WriteCsv("big.csv", "n,rps\n");
  std::filesystem::resize_file(big, kMaxCsvBytes + 1);
  const std::string dir = ::testing::TempDir();
  const std::pair<std::string, std::string> cases[] = {
      {"/dev/zero", "/dev/zero: not a regular file (a character device)"},
      {dir, dir + ": not a regular file (a directory)"},
      {big, big + ": " + std::to_string(kMaxCsvBytes + 1) +
                " bytes, larger than 32 MiB"}};
  for (const auto& [path, message] : cases) {
    for (const char* model : {"linear", "usl"}) {
      EXPECT_EQ(Run({"--data", path, "--model", model}), kExitBadInput) << path;
      EXPECT_THAT(err_.str(), HasSubstr(message));
      EXPECT_THAT(out_.str(), IsEmpty());
    }
  }
  std::filesystem::remove(big);
}

TEST_F(FitCommandTest, CrOnlyLineEndingsFitLikeLf) {
  // A comment first: it used to reach to the end of a CR-only file.
  const std::string lf =
      WriteCsv("lf.csv", "# sweep\nn,rps\n1,3\n2,5\n3,7\n4,10\n");
  const std::string cr =
      WriteCsv("cr.csv", "# sweep\rn,rps\r1,3\r2,5\r3,7\r4,10\r");
  ASSERT_EQ(Run({"--data", lf, "--model", "linear", "--output", "json"}),
            kExitOk)
      << err_.str();
  json expected = json::parse(out_.str())["fits"];
  ASSERT_EQ(Run({"--data", cr, "--model", "linear", "--output", "json"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(json::parse(out_.str())["fits"], expected);
  EXPECT_EQ(expected[0]["n"], 4);
}

// Issue 25: a byte order mark joined the first column's name ("--x: no
// column named 'n'").
TEST_F(FitCommandTest, AByteOrderMarkIsNotPartOfTheFirstColumnName) {
  const std::string csv =
      WriteCsv("bom.csv", "\xEF\xBB\xBFn,rps\n1,3\n2,5\n3,7\n4,10\n");
  EXPECT_EQ(Run({"--data", csv, "--model", "linear"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("4 rows"));
}

TEST_F(FitCommandTest, PerfectFitPrintsNotAvailableInsteadOfInfinity) {
  const std::string csv = WriteCsv("exact.csv", "n,rps\n1,3\n2,5\n3,7\n4,9\n");
  EXPECT_EQ(Run({"--data", csv, "--model", "linear"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("AIC            n/a   AICc n/a"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("inf")));
  EXPECT_EQ(Run({"--data", csv, "--model", "linear", "--output", "json"}),
            kExitOk);
  EXPECT_TRUE(json::parse(out_.str())["fits"][0]["aic"].is_null());
}

// One sweep through the three front ends: analysis (a registered model's
// Fit, and ApplyModel, whose fits the coordinator stores), `scalebench fit
// --data` on the same rows as CSV, and the report's curve of the stored
// fit. Every registered model gives the same numbers in all of them.
TEST_F(FitCommandTest, CliAndReportGiveAnalysisNumbersForEveryModel) {
  std::vector<v1::TrialResult> trials;
  int number = 0;
  for (int rep = 0; rep < 2; ++rep) {
    for (int n : {1, 2, 3, 4, 6, 8, 12, 16}) {
      const double rate =
          1000.0 * n / (1 + 0.04 * (n - 1) + 0.003 * n * (n - 1));
      trials.push_back(report::testing::Trial(
          "exp-000001", number, number % 8, n, v1::BALANCER_KIND_NONE,
          rate * (1 + 0.01 * ((number % 3) - 1))));
      ++number;
    }
  }
  absl::StatusOr<analysis::RowTable> table = results::TrialRowTable(trials);
  ASSERT_TRUE(table.ok()) << table.status();
  const int x_column = *table->FindColumn("instances");
  const int y_column = *table->FindColumn("requests_per_s");
  std::string rows = "n,rps\n";
  std::vector<double> xs;
  std::vector<double> ys;
  for (size_t r = 0; r < table->row_count(); ++r) {
    absl::StrAppend(&rows, table->cell(r, x_column).text, ",",
                    table->cell(r, y_column).text, "\n");
    xs.push_back(*table->cell(r, x_column).number);
    ys.push_back(*table->cell(r, y_column).number);
  }
  const std::string csv = WriteCsv("agree.csv", rows);

  for (const analysis::Model* registered : analysis::Models()) {
    // Its name as --model takes it: the kind's, with a degree when needed.
    absl::StatusOr<v1::ModelSpec> named = registered->ParseName(std::nullopt);
    if (!named.ok()) named = registered->ParseName("2");
    ASSERT_TRUE(named.ok()) << named.status();
    const std::string name = registered->Name(*named);
    SCOPED_TRACE(name);
    absl::StatusOr<v1::ModelSpec> spec = ParseModel(name);
    ASSERT_TRUE(spec.ok()) << spec.status();
    spec->set_x("instances");
    spec->set_y("requests_per_s");
    const analysis::Model& model = **analysis::FindModel(spec->fit());
    absl::StatusOr<std::unique_ptr<analysis::FittedModel>> direct =
        model.Fit(*spec, xs, ys);
    ASSERT_TRUE(direct.ok()) << direct.status();
    const std::vector<analysis::NamedEstimate> expected =
        (*direct)->Parameters();
    absl::StatusOr<std::vector<v1::ModelFit>> stored =
        analysis::ApplyModel(*spec, *table);
    ASSERT_TRUE(stored.ok()) << stored.status();
    ASSERT_EQ(stored->size(), 1u);
    ASSERT_EQ(stored->front().parameters_size(),
              static_cast<int>(expected.size()));

    ASSERT_EQ(Run({"--data", csv, "--model", name, "--output", "json"}),
              kExitOk)
        << err_.str();
    const json cli = json::parse(out_.str())["fits"][0];
    ASSERT_EQ(cli["parameters"].size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(stored->front().parameters(i).name(), expected[i].name);
      EXPECT_EQ(cli["parameters"][i]["name"], expected[i].name);
      EXPECT_DOUBLE_EQ(stored->front().parameters(i).estimate(),
                       expected[i].estimate.value);
      EXPECT_DOUBLE_EQ(cli["parameters"][i]["estimate"].get<double>(),
                       expected[i].estimate.value);
    }
    EXPECT_DOUBLE_EQ(cli["r2"].get<double>(), (*direct)->Statistics().r2);

    report::ReportInput input;
    input.run.experiment = report::testing::Experiment("exp-000001", "agree");
    input.run.trials = trials;
    input.run.fits = *stored;
    absl::StatusOr<report::ReportData> data = report::AssembleReport(input);
    ASSERT_TRUE(data.ok()) << data.status();
    ASSERT_EQ(data->figures.at(0).x_column, "instances");
    ASSERT_EQ(data->figures.at(0).curves.size(), 1u);
    const report::ModelCurve& curve = data->figures[0].curves[0];
    EXPECT_EQ(curve.model, name);
    EXPECT_EQ(curve.note, "");
    for (size_t i = 0; i < curve.x.size(); ++i) {
      const analysis::Prediction p = (*direct)->Predict(curve.x[i]);
      EXPECT_DOUBLE_EQ(curve.fitted[i], p.fitted);
      EXPECT_DOUBLE_EQ(curve.band_low[i], p.prediction.low);
      EXPECT_DOUBLE_EQ(curve.band_high[i], p.prediction.high);
    }
  }
}

TEST_F(FitCommandTest, HelpDescribesEveryFlag) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(Main({"fit", "--help"}, out, err, clock_), kExitOk);
  for (const char* flag : {"--data", "--x", "--y", "--model", "--by", "--train",
                           "--test", "--output", "poly:D", "usl", "amdahl",
                           "COLUMN=VALUE[,VALUE...]", "Examples"}) {
    EXPECT_THAT(out.str(), HasSubstr(flag)) << flag;
  }
  // The CSV limits, as csv.h has them.
  for (const std::string& limit :
       {std::string("at most 32 MiB"), absl::StrCat(kMaxCsvRows, " rows"),
        absl::StrCat(kMaxCsvCells), std::string("64 KiB a cell")}) {
    EXPECT_THAT(out.str(), HasSubstr(limit)) << limit;
  }
  EXPECT_EQ(kMaxCsvBytes, uint64_t{32} << 20);
  EXPECT_EQ(kMaxCsvCellBytes, size_t{64} << 10);
}

// The command line as a user types it: the shared layer's rules hold for
// fit's flags (required flags, unknown and repeated flags, help first).
TEST(ScalebenchCommandLineTest, FitFlagMistakesAreUsageErrors) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  // A valid command line followed by `mistake`.
  const auto valid_and = [](std::vector<std::string> mistake) {
    std::vector<std::string> args = {"fit", "--data", "r.csv",   "--x", "n",
                                     "--y", "rps",    "--model", "usl"};
    args.insert(args.end(), mistake.begin(), mistake.end());
    return args;
  };
  const Case cases[] = {
      {{"fit", "--x", "n"}, "--data is required"},
      {valid_and({"--frobnicate"}), "--frobnicate"},
      {valid_and({"--x", "m"}), "--x"},
      {valid_and({"stray"}), "stray"},
      {valid_and({"--output", "yaml"}),
       "--output: 'yaml' is not one of text, json"},
      {{}, "give a command"},
      {{"frobnicate"}, "frobnicate"},
  };
  FakeClock clock;
  for (const Case& c : cases) {
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_EQ(Main(c.args, out, err, clock), kExitBadInput) << c.message;
    EXPECT_THAT(err.str(), HasSubstr(c.message));
    EXPECT_THAT(out.str(), IsEmpty());
  }
}

TEST(ScalebenchCommandLineTest, HelpAndVersionSucceedOnStdout) {
  FakeClock clock;
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(Main({"fit", "--bogus", "--help"}, out, err, clock), kExitOk);
  EXPECT_THAT(out.str(), HasSubstr("--model"));
  out.str("");
  EXPECT_EQ(Main({"help", "fit"}, out, err, clock), kExitOk);
  EXPECT_THAT(out.str(), HasSubstr("MODEL is one of"));
  out.str("");
  EXPECT_EQ(Main({"--help"}, out, err, clock), kExitOk);
  EXPECT_THAT(out.str(), HasSubstr("fit"));
  out.str("");
  EXPECT_EQ(Main({"--version"}, out, err, clock), kExitOk);
  EXPECT_THAT(out.str(), StartsWith("scalebench "));
  EXPECT_THAT(err.str(), IsEmpty());
}

}  // namespace
}  // namespace scalebench::cli
