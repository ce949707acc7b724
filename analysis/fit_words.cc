#include "analysis/fit_words.h"

#include "absl/strings/str_cat.h"
#include "analysis/cross_host.h"
#include "analysis/estimate.h"
#include "common/number_text.h"

namespace scalebench::analysis {
namespace {

// The line's slope b1 with its interval, when `fit` is a line whose
// interval exists.
bool Slope(const v1::ModelFit& fit, Estimate& slope) {
  if (fit.parameters_size() != 2 || fit.parameters(1).name() != "b1" ||
      !fit.parameters(1).has_ci_low()) {
    return false;
  }
  const v1::FittedParameter& b1 = fit.parameters(1);
  slope.value = b1.estimate();
  slope.std_error = b1.std_error();
  slope.ci = {b1.ci_low(), b1.ci_high()};
  return true;
}

std::string CurveWords(const Model& model, const v1::ModelFit& fit) {
  const std::string& x = fit.spec().x();
  const std::string& y = fit.spec().y();
  if (!fit.has_peak_x()) {
    return absl::StrCat(y, " has no peak over the ", x,
                        " measured: it keeps rising, or falls from the start");
  }
  std::string words =
      absl::StrCat(y, " peaks at ", ReadableNumber(fit.peak_y()), " at ", x,
                   " = ", ReadableNumber(fit.peak_x()));
  if (fit.peak_beyond_data()) {
    absl::StrAppend(&words, ", past the largest ", x,
                    " measured (an extrapolation)");
  }
  if (fit.has_fallback_x()) {
    absl::StrAppend(&words, ", and falls back to ",
                    model.info().fallback_reference, " at ", x, " = ",
                    ReadableNumber(fit.fallback_x()));
  }
  return words;
}

}  // namespace

std::string FitInWords(const Model& model, const v1::ModelFit& fit) {
  if (!fit.error().empty()) return "";
  if (Estimate slope; Slope(fit, slope)) {
    return SlopeGrowth(slope, fit.spec().x(), fit.spec().y()).words;
  }
  return CurveWords(model, fit);
}

}  // namespace scalebench::analysis
