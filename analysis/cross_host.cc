#include "analysis/cross_host.h"

#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/distributions.h"

namespace scalebench::analysis {
namespace {

std::string Verdict(const HeldOutTest& result) {
  const int m = static_cast<int>(result.predictions.size());
  double mean_measured = 0;
  double signed_error = 0;
  int with_error = 0;
  for (const HeldOutPrediction& p : result.predictions) {
    mean_measured += p.measured;
    if (p.relative_error.has_value()) {
      signed_error += *p.relative_error;
      ++with_error;
    }
  }
  mean_measured /= m;
  std::string rmse = absl::StrFormat("RMSE %.4g", result.rmse);
  if (mean_measured != 0) {
    absl::StrAppend(
        &rmse, absl::StrFormat(" (%.1f%% of the mean measurement)",
                               100 * result.rmse / std::fabs(mean_measured)));
  }
  const std::string coverage = absl::StrFormat(
      "%d of %d test measurements lie inside their 95%% prediction intervals",
      m - result.outside, m);
  if (result.holds) {
    std::string why =
        result.outside == 0
            ? ""
            : absl::StrFormat(
                  " (%d outside is within what 95%% intervals allow, p = %.2g)",
                  result.outside, result.miss_probability);
    return absl::StrCat("holds: ", coverage, why, "; ", rmse);
  }
  std::string bias;
  if (with_error > 0) {
    const double mean_error = signed_error / with_error;
    bias = absl::StrFormat(
        "; measurements are on average %.1f%% %s the "
        "predictions",
        100 * std::fabs(mean_error), mean_error > 0 ? "above" : "below");
  }
  return absl::StrCat(
      "does not hold: only ", coverage,
      absl::StrFormat(" (%d misses have probability %.2g if the model held)",
                      result.outside, result.miss_probability),
      bias, "; ", rmse);
}

}  // namespace

absl::Status CheckTestPoints(absl::Span<const double> test_x,
                             absl::Span<const double> test_y) {
  if (test_x.size() != test_y.size()) {
    return absl::InvalidArgumentError(absl::StrCat("test x has ", test_x.size(),
                                                   " values but test y has ",
                                                   test_y.size()));
  }
  if (test_x.empty()) {
    return absl::InvalidArgumentError("there are no test rows to predict");
  }
  for (size_t i = 0; i < test_x.size(); ++i) {
    if (!std::isfinite(test_x[i]) || !std::isfinite(test_y[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("test point ", i + 1, " is not finite"));
    }
  }
  return absl::OkStatus();
}

HeldOutTest JudgeHeldOut(absl::FunctionRef<Prediction(double)> predict,
                         absl::Span<const double> test_x,
                         absl::Span<const double> test_y) {
  HeldOutTest result;
  double squares = 0;
  for (size_t i = 0; i < test_x.size(); ++i) {
    const Prediction p = predict(test_x[i]);
    HeldOutPrediction row;
    row.x = test_x[i];
    row.measured = test_y[i];
    row.predicted = p.fitted;
    if (row.measured != 0) {
      row.relative_error = (row.measured - row.predicted) / row.measured;
    }
    row.prediction_interval = p.prediction;
    row.inside = p.prediction.Contains(row.measured);
    if (!row.inside) ++result.outside;
    squares += (row.measured - row.predicted) * (row.measured - row.predicted);
    result.predictions.push_back(row);
  }
  const int m = static_cast<int>(test_x.size());
  result.rmse = std::sqrt(squares / m);
  // P(B >= k) = I_p(k, m - k + 1) for B ~ Binomial(m, p), k >= 1.
  result.miss_probability =
      result.outside == 0
          ? 1.0
          : RegularizedIncompleteBeta(result.outside, m - result.outside + 1,
                                      1 - kConfidenceLevel);
  result.holds = result.miss_probability >= kVerdictSignificance;
  result.verdict = Verdict(result);
  return result;
}

absl::StatusOr<CrossHostResult> TestCrossHost(absl::Span<const double> train_x,
                                              absl::Span<const double> train_y,
                                              absl::Span<const double> test_x,
                                              absl::Span<const double> test_y,
                                              int degree) {
  if (absl::Status s = CheckTestPoints(test_x, test_y); !s.ok()) return s;
  absl::StatusOr<PolynomialFit> fit =
      PolynomialFit::Fit(train_x, train_y, degree);
  if (!fit.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("training rows: ", fit.status().message()));
  }
  HeldOutTest test = JudgeHeldOut([&fit](double x) { return fit->Predict(x); },
                                  test_x, test_y);
  return CrossHostResult(*std::move(fit), std::move(test));
}

}  // namespace scalebench::analysis
