#include "cli/fit_command.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class FitCommandTest : public ::testing::Test {
 protected:
  // Writes `contents` to a file in the test's temp dir and returns its path.
  std::string WriteCsv(const std::string& name, const std::string& contents) {
    const std::string path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << contents;
    return path;
  }

  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), {"--x", "n", "--y", "rps"});
    return RunFit(args, out_, err_);
  }

  std::ostringstream out_;
  std::ostringstream err_;
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

TEST_F(FitCommandTest, PolynomialJsonHasTheDocumentedFields) {
  const std::string csv = WriteCsv("sweep.csv", kSweep);
  EXPECT_EQ(
      Run({"--data", csv, "--model", "poly:2", "--json", "--by", "platform"}),
      kExitBadInput);  // xen has one distinct x
  const std::string json = out_.str();
  for (const char* field :
       {"\"docker\": {", "\"model\": \"poly:2\"", "\"n\": 6", "\"dof\": 3",
        "\"coefficients\": [", "\"std_errors\": [", "\"conf_int_95\": [",
        "\"r2\": ", "\"adj_r2\": ", "\"aic\": ", "\"aicc\": ",
        "\"residual_se\": ", "\"loo_rmse\": ", "\"peak_x\": ",
        "\"fallback_x\": ", "\"xen\": {"}) {
    EXPECT_THAT(json, HasSubstr(field)) << field;
  }
  EXPECT_THAT(json, HasSubstr("\"error\": \"all x values are equal (x = 1)"));
  EXPECT_THAT(err_.str(), HasSubstr("platform = xen: all x values are equal"));
  EXPECT_THAT(json, Not(HasSubstr("nan")));
  EXPECT_THAT(json, Not(HasSubstr("inf")));
}

TEST_F(FitCommandTest, UslTextReport) {
  const std::string csv =
      WriteCsv("usl.csv",
               "n,rps\n1,64.9\n18,995.9\n36,1652.4\n72,1853.2\n108,1828.9\n"
               "144,1775.0\n216,1702.2\n");
  EXPECT_EQ(Run({"--data", csv, "--model", "usl"}), kExitOk) << err_.str();
  const std::string text = out_.str();
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
  const std::string csv =
      WriteCsv("rising.csv",
               "n,rps\n1,955\n2,1878\n3,2688\n4,3548\n5,4315\n6,5000\n7,5600\n"
               "8,6200\n");
  EXPECT_EQ(Run({"--data", csv, "--model", "usl"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("(beyond the data)"));
}

TEST_F(FitCommandTest, CrossHostReportsAVerdict) {
  const std::string csv =
      WriteCsv("hosts.csv",
               "n,rps,hosts\n1,1010,1\n1,990,1\n2,2005,1\n2,1995,1\n3,3010,1\n"
               "3,2990,1\n4,4000,1\n6,4500,2\n8,6000,2\n12,9000,3\n");
  EXPECT_EQ(Run({"--data", csv, "--model", "linear", "--train", "hosts=1",
                 "--test", "hosts=2,3", "--json"}),
            kExitOk)
      << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("\"test_n\": 3"));
  EXPECT_THAT(out_.str(), HasSubstr("\"holds\": false"));
  EXPECT_THAT(out_.str(), HasSubstr("\"verdict\": \"does not hold"));
  EXPECT_EQ(Run({"--data", csv, "--model", "linear", "--train", "hosts=1",
                 "--test", "hosts=2,3"}),
            kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("trained on hosts=1 (7 rows), tested on "
                                    "hosts=2,3 (3 rows)"));
  EXPECT_THAT(out_.str(), HasSubstr("verdict        does not hold"));
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
      {"n,other\n1,10\n", {"--model", "linear"}, "no column named 'rps'"},
      {"n,rps\n1,10\n2,20\n3,33\n",
       {"--model", "cubic"},
       "--model must be linear"},
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
  EXPECT_THAT(err_.str(), HasSubstr("/nonexistent.csv: cannot open the file"));
}

TEST_F(FitCommandTest, PerfectFitPrintsNotAvailableInsteadOfInfinity) {
  const std::string csv = WriteCsv("exact.csv", "n,rps\n1,3\n2,5\n3,7\n4,9\n");
  EXPECT_EQ(Run({"--data", csv, "--model", "linear"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("AIC            n/a   AICc n/a"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("inf")));
  EXPECT_EQ(Run({"--data", csv, "--model", "linear", "--json"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("\"aic\": null"));
}

TEST_F(FitCommandTest, HelpDescribesEveryFlag) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunFit({"--help"}, out, err), kExitOk);
  for (const char* flag : {"--data", "--x", "--y", "--model", "--by", "--train",
                           "--test", "--json", "poly:D", "usl", "amdahl",
                           "COLUMN=VALUE[,VALUE...]", "Examples"}) {
    EXPECT_THAT(out.str(), HasSubstr(flag)) << flag;
  }
}

}  // namespace
}  // namespace scalebench::cli
