#include "cli/history_command.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cli/command_test_fixture.h"
#include "common/exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace scalebench::cli {
namespace {

using ::testing::HasSubstr;

// Instances 2 on four nights, its level dropping at the third.
std::vector<results::ConfigurationHistory> History() {
  results::ConfigurationHistory h;
  h.configuration.set_platform(v1::PLATFORM_NATIVE);
  h.configuration.set_instances(2);
  h.factors = {"native", "2"};
  const absl::Time first = absl::FromUnixSeconds(1'800'000'000);  // 2027-01-15
  const double medians[] = {2000, 2001, 1600, 1601};
  for (int n = 0; n < 4; ++n) {
    h.points.push_back({first + n * absl::Hours(24),
                        "experiments/exp-00000" + std::to_string(n + 1),
                        medians[n], 6});
  }
  analysis::ChangePoint shift;
  shift.index = 2;
  shift.before = 2000.5;
  shift.after = 1600.5;
  shift.change = 1600.5 / 2000.5 - 1;
  shift.p_value = 0.005;
  h.change_points.push_back(shift);
  return {h};
}

TEST(HistoryCommandTest, TextMarksTheNightTheShiftBegan) {
  std::ostringstream out;
  PrintHistoryText("schedules/nightly", "requests_per_s", History(), out);
  const std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("schedules/nightly: requests_per_s night by "
                              "night"));
  EXPECT_THAT(text, HasSubstr("4 nights, 1 shift"));
  EXPECT_THAT(text, HasSubstr("shift from 2027-01-17 08:00 UTC "
                              "(experiments/exp-000003): 2000.5 -> 1600.5 "
                              "(-20.0%), p = 0.005"));
  // The marker is on the third night's row, and only there.
  const size_t row = text.find("experiments/exp-000003  1600");
  ASSERT_NE(row, std::string::npos) << text;
  EXPECT_NE(text.find("<- shift -20.0%", row), std::string::npos);
  EXPECT_EQ(text.find("<- shift"), text.find("<- shift -20.0%", row));
}

TEST(HistoryCommandTest, JsonHasThePointsAndTheChangePoints) {
  const nlohmann::json doc = nlohmann::json::parse(
      HistoryJson("schedules/nightly", "requests_per_s", History()));
  EXPECT_EQ(doc["schedule"], "schedules/nightly");
  const nlohmann::json& c = doc["configurations"][0];
  EXPECT_EQ(c["factors"]["platform"], "native");
  EXPECT_EQ(c["factors"]["instances"], "2");
  ASSERT_EQ(c["points"].size(), 4u);
  EXPECT_EQ(c["points"][0]["night"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(c["points"][2]["median"], 1600);
  EXPECT_EQ(c["points"][2]["n"], 6);
  ASSERT_EQ(c["change_points"].size(), 1u);
  EXPECT_EQ(c["change_points"][0]["index"], 2);
  EXPECT_EQ(c["change_points"][0]["experiment"], "experiments/exp-000003");
  EXPECT_EQ(c["change_points"][0]["night"], "2027-01-17T08:00:00Z");
  EXPECT_EQ(c["change_points"][0]["p_value"], 0.005);
}

TEST(HistoryCommandTest, NoRunsYetSaysSo) {
  std::ostringstream out;
  PrintHistoryText("schedules/nightly", "requests_per_s", {}, out);
  EXPECT_THAT(out.str(), HasSubstr("no successful runs yet"));
}

class HistoryFlagsTest : public CommandTest {
 protected:
  HistoryFlagsTest() : CommandTest("history") {}
};

// The change-point test's flags are the changepoints command's
// (change_point_flags.h): checked before the coordinator is asked, and
// named in the message as docs/limits.md has it.
TEST_F(HistoryFlagsTest, AnOutOfRangeTestFlagIsNamed) {
  EXPECT_EQ(Run({"nightly", "--permutations", "10000"}), kExitBadInput);
  EXPECT_THAT(err_.str(),
              HasSubstr("--permutations must be at most 9999; got 10000"));
  EXPECT_EQ(Run({"nightly", "--min-segment", "1"}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("--min-segment must be from 2 to 100000"));
  EXPECT_EQ(Run({"--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("fewest nights on either side"));
}

}  // namespace
}  // namespace scalebench::cli
