#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/change_points.h"
#include "cli/app.h"
#include "cli/command_test_fixture.h"
#include "cli/csv.h"
#include "common/exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace scalebench::cli {
namespace {

using ::nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class ChangepointsCommandTest : public CommandTest {
 protected:
  ChangepointsCommandTest() : CommandTest("changepoints") {}
};

// A small wobble (-2 .. +2) that is not noise-like enough to matter.
double Wobble(int i) { return (i * 7) % 5 - 2; }

// 40 nights from 2026-01-01: 1000 requests/s, then 900 from 2026-01-21
// (night 20); written last night first, so the file's order is not time's.
std::string NightlyCsv(const std::string& platform = "") {
  std::string csv = platform.empty() ? "date,rps\n" : "platform,date,rps\n";
  for (int i = 39; i >= 0; --i) {
    const std::string date =
        absl::StrFormat("2026-%02d-%02d", 1 + i / 31, 1 + i % 31);
    const double rps = (i < 20 ? 1000 : 900) + Wobble(i);
    absl::StrAppend(&csv, platform.empty() ? "" : platform + ",", date, ",",
                    rps, "\n");
  }
  return csv;
}

TEST_F(ChangepointsCommandTest, TextNamesTheFirstNightAfterTheShift) {
  const std::string path = WriteFile("nightly.csv", NightlyCsv());
  ASSERT_EQ(Run({"--data", path, "--x", "date", "--y", "rps"}), kExitOk)
      << err_.str();
  EXPECT_THAT(out_.str(),
              HasSubstr("x=2026-01-21, index 20: 1000 -> 900 (-10.0%), "
                        "p=0.005\n"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("combined")));
  EXPECT_THAT(err_.str(), IsEmpty());
}

TEST_F(ChangepointsCommandTest, JsonPerGroupWithNumericX) {
  // Runs 1..30 (text order would put 10 before 2); a shift at run 11 on
  // xen, none on docker.
  std::string csv = "platform,run,rps\n";
  for (int run = 1; run <= 30; ++run) {
    absl::StrAppend(&csv, "docker,", run, ",", 500 + Wobble(run), "\n");
    absl::StrAppend(&csv, "xen,", run, ",",
                    (run < 11 ? 300 : 360) + Wobble(run), "\n");
  }
  const std::string path = WriteFile("runs.csv", csv);
  ASSERT_EQ(Run({"--data", path, "--x", "run", "--y", "rps", "--by", "platform",
                 "--output", "json"}),
            kExitOk)
      << err_.str();
  const json doc = json::parse(out_.str());
  ASSERT_EQ(doc["groups"].size(), 2u);
  const json& docker = doc["groups"][0];
  EXPECT_EQ(docker["group"], json({{"platform", "docker"}}));
  EXPECT_EQ(docker["points"], 30);
  EXPECT_TRUE(docker["change_points"].empty());
  const json& xen = doc["groups"][1];
  EXPECT_EQ(xen["group"], json({{"platform", "xen"}}));
  ASSERT_EQ(xen["change_points"].size(), 1u);
  const json& point = xen["change_points"][0];
  std::vector<std::string> keys;  // In the order written.
  const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(
      out_.str())["groups"][1]["change_points"][0];
  for (const auto& [key, value] : ordered.items()) keys.push_back(key);
  EXPECT_THAT(
      keys, ElementsAre("index", "x", "before", "after", "change", "p_value"));
  EXPECT_EQ(point["index"], 10);
  EXPECT_EQ(point["x"], 11);  // A number, not "11".
  EXPECT_EQ(point["before"], 300);
  EXPECT_EQ(point["after"], 360);
  EXPECT_DOUBLE_EQ(point["change"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(point["p_value"].get<double>(), 0.005);
}

TEST_F(ChangepointsCommandTest, RowsWithTheSameXAreCombinedByTheirMedian) {
  // Three runs a night; one run of night 25 is wildly off, and the median
  // ignores it.
  std::string csv = "date,rps\n";
  for (int i = 0; i < 30; ++i) {
    const double level = i < 15 ? 1000 : 1100;
    const std::string date = absl::StrFormat("2026-03-%02d", i + 1);
    for (int r = 0; r < 3; ++r) {
      const double off = (i == 25 && r == 1) ? 5000 : r;
      absl::StrAppend(&csv, date, ",", level + Wobble(i) + off, "\n");
    }
  }
  const std::string path = WriteFile("repeats.csv", csv);
  ASSERT_EQ(Run({"--data", path, "--x", "date", "--y", "rps"}), kExitOk)
      << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("x=2026-03-16, index 15: "));
  EXPECT_THAT(out_.str(),
              HasSubstr("(30 of 30 x values had several rows, combined by "
                        "their median)"));
  ASSERT_EQ(
      Run({"--data", path, "--x", "date", "--y", "rps", "--output", "json"}),
      kExitOk);
  const json doc = json::parse(out_.str());
  EXPECT_EQ(doc["groups"][0]["points"], 30);
  ASSERT_EQ(doc["groups"][0]["change_points"].size(), 1u);
  EXPECT_EQ(doc["groups"][0]["change_points"][0]["x"], "2026-03-16");
}

TEST_F(ChangepointsCommandTest, ShortSeriesHaveNoChangePoint) {
  const std::string path = WriteFile("short.csv",
                                     "platform,date,rps\nxen,1,10\nxen,2,10\n"
                                     "xen,3,50\nxen,4,50\n");
  ASSERT_EQ(
      Run({"--data", path, "--x", "date", "--y", "rps", "--by", "platform"}),
      kExitOk)
      << err_.str();
  EXPECT_THAT(out_.str(),
              HasSubstr("platform=xen:\n  no change point in 4 points\n"));
}

TEST_F(ChangepointsCommandTest, BadDataNamesFileLineAndColumn) {
  const std::string path =
      WriteFile("bad.csv", "date,rps\n2026-01-01,10\n2026-01-02,fast\n");
  EXPECT_EQ(Run({"--data", path, "--x", "date", "--y", "rps"}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("bad.csv:3: column 'rps' holds 'fast'"));

  EXPECT_EQ(Run({"--data", path, "--x", "night", "--y", "rps"}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("--x: no column named 'night' in"));
  EXPECT_THAT(err_.str(), HasSubstr("(the columns are: date, rps)"));

  EXPECT_EQ(Run({"--data", path + ".missing", "--x", "date", "--y", "rps"}),
            kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr(".missing"));
}

// Issue 25: /dev/zero aborted with bad_alloc and a directory was "empty".
TEST_F(ChangepointsCommandTest, WhatIsNotACsvFileExitsTwoNamingIt) {
  const std::string big = WriteFile("big-nightly.csv", "date,rps\n");
  std::filesystem::resize_file(big, kMaxCsvBytes + 1);
  for (const auto& [path, message] : NotACsvFileCases(big)) {
    EXPECT_EQ(Run({"--data", path, "--x", "date", "--y", "rps"}), kExitBadInput)
        << path;
    EXPECT_THAT(err_.str(), HasSubstr(message));
    EXPECT_THAT(out_.str(), IsEmpty());
  }
  std::filesystem::remove(big);
}

// The nightly series with CR-only line endings finds the same shift.
TEST_F(ChangepointsCommandTest, CrOnlyLineEndingsReadLikeLf) {
  // A comment first: it used to reach to the end of a CR-only file.
  std::string csv = "# nights\n" + NightlyCsv();
  std::replace(csv.begin(), csv.end(), '\n', '\r');
  const std::string path = WriteFile("nightly-cr.csv", csv);
  ASSERT_EQ(Run({"--data", path, "--x", "date", "--y", "rps"}), kExitOk)
      << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("x=2026-01-21, index 20: "));
}

// Issue 25: the detection's work is quadratic in the series' length; a
// longer series is refused where the file says so, before any work.
TEST_F(ChangepointsCommandTest, ASeriesTooLongForTheDetectionIsRefused) {
  std::string csv = "platform,night,rps\n";
  for (size_t i = 0; i <= analysis::kMaxSeriesLength; ++i) {
    absl::StrAppend(&csv, "xen,", i, ",", 1000 + i % 3, "\n");
  }
  const std::string path = WriteFile("long.csv", csv);
  EXPECT_EQ(
      Run({"--data", path, "--x", "night", "--y", "rps", "--by", "platform"}),
      kExitBadInput);
  EXPECT_EQ(err_.str(),
            absl::StrCat("scalebench changepoints: ", path, ":",
                         analysis::kMaxSeriesLength + 2,
                         ": the series of platform=xen has more than 10000 "
                         "distinct x values, the most change point detection "
                         "takes (its work grows with their square)\n"));
  EXPECT_THAT(out_.str(), IsEmpty());
}

TEST_F(ChangepointsCommandTest, BadFlagsAreNamed) {
  const std::string path = WriteFile("nightly.csv", NightlyCsv());
  const std::vector<std::string> base = {"--data", path,  "--x",
                                         "date",   "--y", "rps"};
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--significance", "1.5"}, "--significance must be in (0, 1)"},
      {{"--permutations", "9"}, "--permutations must be at least 19"},
      {{"--min-segment", "1"}, "--min-segment must be from 2 to 100000"},
      // Issue 25: the permutations and the segment had no upper bound.
      {{"--permutations", "10000"},
       "--permutations must be at most 9999; got 10000"},
      {{"--min-segment", "100001"}, "--min-segment must be from 2 to 100000"},
      {{"--significance", "0.00001"}, "--significance must be at least 0.0001"},
      {{"--permutations", "99999999999"}, "--permutations"},
      {{"--by", "date", "--by", "date"}, "--by names 'date' twice"}};
  for (const auto& [extra, message] : cases) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    EXPECT_EQ(Run(args), kExitBadInput) << message;
    EXPECT_THAT(err_.str(), HasSubstr(message));
  }
  EXPECT_EQ(Run({"--data", path, "--x", "date"}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("--y is required"));
}

TEST_F(ChangepointsCommandTest, HelpTeachesWithExamples) {
  ASSERT_EQ(Run({"--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("E-divisive"));
  EXPECT_THAT(out_.str(), HasSubstr("scalebench changepoints --data"));
  EXPECT_THAT(out_.str(), HasSubstr("--min-segment"));
}

}  // namespace
}  // namespace scalebench::cli
