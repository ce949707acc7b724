#include "report/report_models.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/model.h"
#include "analysis/model_fit.h"
#include "analysis/model_registry.h"
#include "analysis/row_selector.h"
#include "common/number_text.h"

namespace scalebench::report {
namespace {

// ReadableNumber, or "-" for a value the fit does not have.
std::string Maybe(bool present, double value) {
  return present ? ReadableNumber(value) : "-";
}

// A parameter's estimate: ReadableNumber, but "0" when it is less than a
// millionth of its own standard error (floating-point residue such as
// 3.7e-13 for a quadratic term the data do not have), which
// ReadableNumber would print in e-notation.
std::string Estimate(const v1::FittedParameter& p) {
  constexpr double kResidue = 1e-6;
  if (p.has_std_error() &&
      std::fabs(p.estimate()) < kResidue * std::fabs(p.std_error())) {
    return "0";
  }
  return ReadableNumber(p.estimate());
}

std::string Interval(bool present, double low, double high) {
  return present ? absl::StrCat("[", ReadableNumber(low), ", ",
                                ReadableNumber(high), "]")
                 : "-";
}

void Parameters(const analysis::Model& model, const v1::ModelFit& fit,
                Page& page) {
  page.BeginTable("model-parameters");
  page.Row({model.info().parameter_noun, "estimate", "std error",
            "95% confidence interval"},
           "th");
  for (int i = 0; i < fit.parameters_size(); ++i) {
    const v1::FittedParameter& p = fit.parameters(i);
    page.Row(
        {model.ParameterLabel(i, p.name()), Estimate(p),
         Maybe(p.has_std_error(), p.std_error()),
         Interval(p.has_ci_low() && p.has_ci_high(), p.ci_low(), p.ci_high())});
  }
  for (const analysis::FixedParameter& p : model.info().fixed) {
    page.Row({p.name, ReadableNumber(p.value), "-",
              absl::StrCat("fixed: ", p.reason)});
  }
  page.EndTable();
}

void Statistics(const analysis::Model& model, const v1::ModelFit& fit,
                Page& page) {
  page.BeginTable("model-statistics");
  page.Row({"statistic", "value"}, "th");
  page.Row({"residual SE",
            absl::StrCat(Maybe(fit.has_residual_se(), fit.residual_se()),
                         " on ", fit.dof(), " degrees of freedom")});
  page.Row({"R²", Maybe(fit.has_r2(), fit.r2())});
  if (fit.has_adj_r2()) page.Row({"adjusted R²", ReadableNumber(fit.adj_r2())});
  page.Row({"AIC / AICc", absl::StrCat(Maybe(fit.has_aic(), fit.aic()), " / ",
                                       Maybe(fit.has_aicc(), fit.aicc()))});
  if (model.info().has_loo) {
    page.Row({"LOO RMSE", Maybe(fit.has_loo_rmse(), fit.loo_rmse())});
  }
  page.Row(
      {"peak",
       fit.has_peak_x()
           ? absl::StrCat("y = ", ReadableNumber(fit.peak_y()),
                          " at x = ", ReadableNumber(fit.peak_x()),
                          fit.peak_beyond_data() ? " (beyond the data)" : "")
           : "none"});
  const std::string& reference = model.info().fallback_reference;
  page.Row({"falls back",
            fit.has_fallback_x()
                ? absl::StrCat("at x = ", ReadableNumber(fit.fallback_x()),
                               ", to ", reference)
                : absl::StrCat("never, to ", reference)});
  page.EndTable();
}

void CrossHost(const v1::ModelFit& fit, Page& page) {
  const v1::CrossHostTest& test = fit.cross_host();
  page.BeginTable("model-predictions");
  page.Row({"x", "measured", "predicted", "error", "95% prediction interval",
            "inside"},
           "th");
  for (const v1::PredictionCheck& p : test.predictions()) {
    page.Row(
        {ReadableNumber(p.x()), ReadableNumber(p.measured()),
         ReadableNumber(p.predicted()),
         p.has_relative_error()
             ? absl::StrFormat("%+.1f%%", 100 * p.relative_error())
             : "-",
         Interval(true, p.pi_low(), p.pi_high()), p.inside() ? "yes" : "no"},
        "td", p.inside() ? "" : "regression");
  }
  page.EndTable();
  page.Tag("p", absl::StrCat("RMSE of the predictions: ",
                             ReadableNumber(test.rmse()), "."));
  page.Tag("p", absl::StrCat("Verdict: ", test.verdict()),
           test.holds() ? "verdict" : "verdict regression");
  if (test.has_saturation()) {
    page.Tag("p", absl::StrCat("Saturation: ", test.saturation()), "verdict");
  }
}

void OneFit(const std::string& run, const v1::ModelFit& fit, Page& page) {
  const v1::ModelSpec& spec = fit.spec();
  const std::string group = analysis::GroupLabel(fit);
  page.Tag("h3", absl::StrCat(analysis::ModelName(spec), " fit of ", spec.y(),
                              " on ", spec.x(), " (", run,
                              group.empty() ? "" : ", ", group, ")"));
  if (!fit.error().empty()) {
    page.Tag("p", absl::StrCat("Not fitted: ", fit.error()), "note");
    return;
  }
  absl::StatusOr<const analysis::Model*> model =
      analysis::FindModel(spec.fit());
  if (!model.ok()) {
    page.Tag("p", std::string(model.status().message()), "note");
    return;
  }
  page.Tag(
      "p",
      fit.has_cross_host()
          ? absl::StrCat("Trained on ", analysis::FormatRowFilter(spec.train()),
                         " (", fit.n(), " trials), tested on ",
                         analysis::FormatRowFilter(spec.test()), " (",
                         fit.cross_host().predictions_size(), " trials).")
          : absl::StrCat("Fitted to ", fit.n(), " trials."));
  Parameters(**model, fit, page);
  Statistics(**model, fit, page);
  if (fit.has_cross_host()) CrossHost(fit, page);
}

}  // namespace

void ModelTables(const std::string& run, const std::vector<v1::ModelFit>& fits,
                 Page& page) {
  for (const v1::ModelFit& fit : fits) OneFit(run, fit, page);
}

}  // namespace scalebench::report
