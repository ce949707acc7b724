#include "cli/fit_report.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::ModelFit CrossHostFit() {
  v1::ModelFit fit;
  fit.mutable_spec()->set_fit(v1::MODEL_KIND_LINEAR);
  fit.mutable_spec()->set_x("vcpus_total");
  fit.mutable_spec()->set_y("requests_per_s");
  (*fit.mutable_spec()->mutable_train()->mutable_factors())["hosts"].add_values(
      "1");
  (*fit.mutable_spec()->mutable_test()->mutable_factors())["hosts"].add_values(
      "2");
  fit.set_n(4);
  v1::PredictionCheck* p = fit.mutable_cross_host()->add_predictions();
  p->set_x(4);
  p->set_measured(2500);
  p->set_predicted(4000);
  p->set_pi_low(3900);
  p->set_pi_high(4100);
  fit.mutable_cross_host()->set_verdict("does not hold: 1 of 1 outside");
  return fit;
}

TEST(FitReportTest, TheVerdictIsALineOfItsOwnThenWhatRanOut) {
  v1::ModelFit fit = CrossHostFit();
  fit.mutable_cross_host()->set_saturation(
      "from vcpus_total = 4 (hosts = 2): the balancer's cores were 98% busy, "
      "all cores 60%: the balancer ran out");
  std::ostringstream out;
  PrintText("exp-000001", {fit}, out);
  EXPECT_THAT(out.str(),
              HasSubstr("\nverdict: does not hold: 1 of 1 outside\n"
                        "saturation: from vcpus_total = 4 (hosts = 2): the "
                        "balancer's cores were 98% busy, all cores 60%: the "
                        "balancer ran out\n"));
}

TEST(FitReportTest, NoSaturationLineWhenItWasNotWorkedOut) {
  std::ostringstream out;
  PrintText("hosts.csv", {CrossHostFit()}, out);
  EXPECT_THAT(out.str(), HasSubstr("\nverdict: does not hold"));
  EXPECT_THAT(out.str(), Not(HasSubstr("saturation")));
}

TEST(FitReportTest, AFitSaysInWordsWhereItPeaksWithinTheTextWidth) {
  v1::ModelFit fit;
  fit.mutable_spec()->set_fit(v1::MODEL_KIND_USL);
  fit.mutable_spec()->set_x("instances");
  fit.mutable_spec()->set_y("requests_per_s");
  fit.set_n(12);
  fit.set_peak_x(2.44);
  fit.set_peak_y(26837.4);
  fit.set_fallback_x(5.97);
  std::ostringstream out;
  PrintText("exp-000001", {fit}, out);
  EXPECT_THAT(out.str(),
              HasSubstr("  12 rows\n"
                        "  in words: requests_per_s peaks at 26,837 at "
                        "instances = 2.44,\n"
                        "    and falls back to its value at x = 1 at "
                        "instances = 5.97\n\n"));
  EXPECT_THAT(out.str(), HasSubstr("  falls back     at x = 5.97, to its "
                                   "value at x = 1\n"));
}

}  // namespace
}  // namespace scalebench::cli
