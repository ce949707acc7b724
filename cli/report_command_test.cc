// `scalebench report`'s checks before and around the coordinator: the
// pages themselves are tested in report/ and, with a real coordinator, in
// tests/report/browser_test.py.
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command_test_fixture.h"
#include "common/exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::HasSubstr;

class ReportCommandTest : public CommandTest {
 protected:
  ReportCommandTest() : CommandTest("report") {}
  void SetUp() override {
    chartjs_ = WriteFile("fake-chart.min.js", "window.Chart = function(){};");
  }

  std::string chartjs_;
};

TEST_F(ReportCommandTest, MissingChartJsNamesThePackage) {
  const std::string out = ::testing::TempDir() + "/r1.html";
  EXPECT_EQ(Run({"exp-000001", "--out", out, "--chartjs",
                 "/nonexistent/chart.min.js"}),
            kExitRunFailed);
  EXPECT_THAT(err_.str(), HasSubstr("libjs-chart.js"));
  EXPECT_THAT(err_.str(), HasSubstr("/nonexistent/chart.min.js"));
}

TEST_F(ReportCommandTest, UnwritableOutIsBadInputNamingIt) {
  EXPECT_EQ(Run({"exp-000001", "--out", "/nonexistent-dir/r.html", "--chartjs",
                 chartjs_}),
            kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("--out"));
  EXPECT_THAT(err_.str(), HasSubstr("/nonexistent-dir/r.html"));
}

TEST_F(ReportCommandTest, BadExperimentNamesAreBadInput) {
  const std::string out = ::testing::TempDir() + "/r2.html";
  EXPECT_EQ(Run({"not an experiment", "--out", out, "--chartjs", chartjs_}),
            kExitBadInput);
  EXPECT_EQ(Run({"exp-000001", "--compare", "x/y/z", "--out", out, "--chartjs",
                 chartjs_}),
            kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("--compare"));
}

TEST_F(ReportCommandTest, UnreachableCoordinatorLeavesNoPageBehind) {
  const std::string out = ::testing::TempDir() + "/r3.html";
  unlink(out.c_str());
  EXPECT_EQ(Run({"exp-000001", "--out", out, "--chartjs", chartjs_,
                 "--coordinator", "127.0.0.1:1"}),
            kExitRunFailed);
  EXPECT_THAT(err_.str(), HasSubstr("cannot reach the coordinator"));
  EXPECT_NE(access(out.c_str(), F_OK), 0) << out << " was left behind";
}

}  // namespace
}  // namespace scalebench::cli
