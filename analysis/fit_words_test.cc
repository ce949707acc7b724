#include "analysis/fit_words.h"

#include "analysis/models/models.h"
#include "gtest/gtest.h"

namespace scalebench::analysis {
namespace {

using models::Linear;
using models::Usl;

v1::ModelFit Line(double b1, double low, double high) {
  v1::ModelFit fit;
  fit.mutable_spec()->set_x("vcpus");
  fit.mutable_spec()->set_y("requests_per_s");
  v1::FittedParameter* b0 = fit.add_parameters();
  b0->set_name("b0");
  b0->set_estimate(100);
  v1::FittedParameter* slope = fit.add_parameters();
  slope->set_name("b1");
  slope->set_estimate(b1);
  slope->set_std_error(1);
  slope->set_ci_low(low);
  slope->set_ci_high(high);
  return fit;
}

TEST(FitInWordsTest, ALineSaysWhatOneMoreAdds) {
  EXPECT_EQ(FitInWords(Linear(), Line(6560.4, 5900, 7200.2)),
            "each vcpus adds 6,560 requests_per_s (95% interval 5,900 to "
            "7,200)");
}

TEST(FitInWordsTest, ALineWhoseIntervalIncludesZeroSaysSo) {
  EXPECT_EQ(FitInWords(Linear(), Line(12.5, -3, 28)),
            "each vcpus adds 12.5 requests_per_s (95% interval -3 to 28), an "
            "interval that includes zero");
}

TEST(FitInWordsTest, AFallingLineDoesNotGrow) {
  EXPECT_EQ(FitInWords(Linear(), Line(-6560, -8000, -5100)),
            "requests_per_s does not grow with vcpus: each one adds -6,560 "
            "(95% interval -8,000 to -5,100)");
}

TEST(FitInWordsTest, ACurveSaysWhereItPeaksAndFallsBack) {
  v1::ModelFit fit;
  fit.mutable_spec()->set_x("instances");
  fit.mutable_spec()->set_y("requests_per_s");
  fit.set_peak_x(4.2);
  fit.set_peak_y(48061.5);
  fit.set_fallback_x(11);
  EXPECT_EQ(FitInWords(Usl(), fit),
            "requests_per_s peaks at 48,062 at instances = 4.20, and falls "
            "back to its value at x = 1 at instances = 11");
  fit.clear_fallback_x();
  fit.set_peak_beyond_data(true);
  EXPECT_EQ(FitInWords(Usl(), fit),
            "requests_per_s peaks at 48,062 at instances = 4.20, past the "
            "largest instances measured (an extrapolation)");
  fit.clear_peak_x();
  EXPECT_EQ(FitInWords(Usl(), fit),
            "requests_per_s has no peak over the instances measured: it "
            "keeps rising, or falls from the start");
}

TEST(FitInWordsTest, AFitWithAnErrorHasNoWords) {
  v1::ModelFit fit = Line(1, 0.5, 1.5);
  fit.set_error("all x values are equal");
  EXPECT_EQ(FitInWords(Linear(), fit), "");
}

}  // namespace
}  // namespace scalebench::analysis
