#include "analysis/cross_host.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/distributions.h"
#include "common/number_text.h"

namespace scalebench::analysis {
namespace {

// Two significant digits, and "< 0.0001" below that: 0.26, 0.0025.
std::string Probability(double p) {
  if (p < 1e-4) return "< 0.0001";
  return absl::StrFormat("%.2g", p);
}

std::string PredictionsVerdict(const HeldOutTest& result) {
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
  std::string rmse = absl::StrCat("RMSE ", ReadableNumber(result.rmse));
  if (mean_measured != 0) {
    absl::StrAppend(
        &rmse, absl::StrFormat(" (%.1f%% of the mean measurement)",
                               100 * result.rmse / std::fabs(mean_measured)));
  }
  const std::string coverage = absl::StrFormat(
      "%d of %d test measurements lie inside their 95%% prediction intervals",
      m - result.outside, m);
  if (result.predictions_hold) {
    std::string why =
        result.outside == 0
            ? ""
            : absl::StrFormat(
                  " (%d outside is within what 95%% intervals allow, p = %s)",
                  result.outside, Probability(result.miss_probability));
    return absl::StrCat(coverage, why, "; ", rmse);
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
      "only ", coverage,
      absl::StrFormat(" (%d misses have probability %s if the model held)",
                      result.outside, Probability(result.miss_probability)),
      bias, "; ", rmse);
}

// "holds: <growth>; <predictions>", "does not hold: ...", "does not
// scale: ...", "growth not shown: ...".
std::string Verdict(const HeldOutTest& result) {
  const std::string predictions = PredictionsVerdict(result);
  if (!result.growth.has_value() ||
      result.growth->kind == GrowthCheck::Kind::kGrows) {
    std::string growth = result.growth.has_value()
                             ? absl::StrCat("; ", result.growth->words)
                             : "";
    return absl::StrCat(
        result.holds ? "holds: " : "does not hold: ", predictions, growth);
  }
  const bool falls = result.growth->kind == GrowthCheck::Kind::kFalls;
  return absl::StrCat(
      falls ? "does not scale: " : "growth not shown: ", result.growth->words,
      "; the predictions ",
      result.predictions_hold ? "hold: " : "do not hold: ", predictions);
}

// "(95% interval 5,900 to 7,200)".
std::string IntervalWords(const Interval& ci) {
  return absl::StrCat("(95% interval ", ReadableNumber(ci.low), " to ",
                      ReadableNumber(ci.high), ")");
}

}  // namespace

GrowthCheck SlopeGrowth(const Estimate& slope, absl::string_view x_name,
                        absl::string_view y_name) {
  GrowthCheck g;
  const std::string interval = IntervalWords(slope.ci);
  if (slope.ci.low > 0) {
    g.kind = GrowthCheck::Kind::kGrows;
    g.words =
        absl::StrCat("each ", x_name, " adds ", ReadableNumber(slope.value),
                     " ", y_name, " ", interval);
  } else if (slope.ci.high <= 0) {
    g.kind = GrowthCheck::Kind::kFalls;
    g.words =
        absl::StrCat(y_name, " does not grow with ", x_name, ": each one adds ",
                     ReadableNumber(slope.value), " ", interval);
  } else {
    g.kind = GrowthCheck::Kind::kNotShown;
    g.words = absl::StrCat("each ", x_name, " adds ",
                           ReadableNumber(slope.value), " ", y_name, " ",
                           interval, ", an interval that includes zero");
  }
  return g;
}

GrowthCheck CurveGrowth(const Prediction& from, const Prediction& to,
                        absl::string_view x_name, absl::string_view y_name) {
  GrowthCheck g;
  const std::string change = absl::StrCat(
      y_name, " goes from ", ReadableNumber(from.fitted), " ",
      IntervalWords(from.mean_ci), " at ", x_name, " = ",
      ReadableNumber(from.x), " to ", ReadableNumber(to.fitted), " ",
      IntervalWords(to.mean_ci), " at ", ReadableNumber(to.x));
  if (to.mean_ci.low > from.mean_ci.high) {
    g.kind = GrowthCheck::Kind::kGrows;
    g.words = change;
  } else if (to.mean_ci.high <= from.mean_ci.low) {
    g.kind = GrowthCheck::Kind::kFalls;
    g.words =
        absl::StrCat(y_name, " does not grow with ", x_name, ": ", change);
  } else {
    g.kind = GrowthCheck::Kind::kNotShown;
    g.words = absl::StrCat(change, ", intervals that overlap");
  }
  return g;
}

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
                         absl::Span<const double> test_y,
                         std::optional<GrowthCheck> growth) {
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
  result.predictions_hold = result.miss_probability >= kVerdictSignificance;
  result.growth = std::move(growth);
  result.holds = result.predictions_hold &&
                 (!result.growth.has_value() ||
                  result.growth->kind == GrowthCheck::Kind::kGrows);
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
  GrowthCheck growth;
  if (degree == 1) {
    growth = SlopeGrowth(fit->coefficients()[1], "x", "y");
  } else {
    growth = CurveGrowth(
        fit->Predict(fit->x_min()),
        fit->Predict(*std::max_element(test_x.begin(), test_x.end())), "x",
        "y");
  }
  HeldOutTest test = JudgeHeldOut([&fit](double x) { return fit->Predict(x); },
                                  test_x, test_y, std::move(growth));
  return CrossHostResult(*std::move(fit), std::move(test));
}

}  // namespace scalebench::analysis
