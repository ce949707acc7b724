#include "cli/fit_report.h"

#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "analysis/fit_words.h"
#include "analysis/model.h"
#include "analysis/model_fit.h"
#include "analysis/model_fit_json.h"
#include "analysis/model_registry.h"
#include "analysis/row_selector.h"
#include "cli/fit_request.h"
#include "cli/output.h"
#include "common/json_writer.h"
#include "common/number_text.h"

namespace scalebench::cli {
namespace {

// As people read it (common/number_text.h); "n/a" for anything that is
// not a finite number. The JSON output keeps every digit.
std::string Num(double value) {
  if (!std::isfinite(value)) return "n/a";
  return ReadableNumber(value);
}
std::string Num(bool present, double value) {
  return present ? Num(value) : "n/a";
}

// Every line of `text` indented by two spaces.
std::string Indented(absl::string_view text) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, "  ", line, "\n");
  }
  return out;
}

void PrintParameters(const analysis::Model& model, const v1::ModelFit& fit,
                     std::ostream& out) {
  out << absl::StrFormat("  %-14s %14s %14s   %s\n",
                         model.info().parameter_noun, "estimate", "std error",
                         "95% confidence interval");
  for (int i = 0; i < fit.parameters_size(); ++i) {
    const v1::FittedParameter& p = fit.parameters(i);
    out << absl::StrFormat(
        "  %-14s %14s %14s   [%s, %s]\n", model.ParameterLabel(i, p.name()),
        Num(p.estimate()), Num(p.has_std_error(), p.std_error()),
        Num(p.has_ci_low(), p.ci_low()), Num(p.has_ci_high(), p.ci_high()));
  }
  for (const analysis::FixedParameter& p : model.info().fixed) {
    out << absl::StrFormat("  %-14s %14s   (fixed: %s)\n", p.name, Num(p.value),
                           p.reason);
  }
}

void PrintStatistics(const analysis::Model& model, const v1::ModelFit& fit,
                     std::ostream& out) {
  out << "\n";
  out << absl::StrFormat("  %-14s %s on %d degrees of freedom\n", "residual SE",
                         Num(fit.has_residual_se(), fit.residual_se()),
                         fit.dof());
  out << absl::StrFormat("  %-14s %s", "R^2", Num(fit.has_r2(), fit.r2()));
  if (fit.has_adj_r2()) out << "   adjusted " << Num(fit.adj_r2());
  out << "\n";
  out << absl::StrFormat("  %-14s %s   AICc %s\n", "AIC",
                         Num(fit.has_aic(), fit.aic()),
                         Num(fit.has_aicc(), fit.aicc()));
  if (model.info().has_loo) {
    out << absl::StrFormat("  %-14s %s\n", "LOO RMSE",
                           Num(fit.has_loo_rmse(), fit.loo_rmse()));
  }
  if (fit.has_peak_x()) {
    out << absl::StrFormat("  %-14s y = %s at x = %s%s\n", "peak",
                           Num(fit.peak_y()), Num(fit.peak_x()),
                           fit.peak_beyond_data() ? " (beyond the data)" : "");
  } else {
    out << absl::StrFormat("  %-14s none\n", "peak");
  }
  const std::string& reference = model.info().fallback_reference;
  if (fit.has_fallback_x()) {
    out << absl::StrFormat("  %-14s at x = %s, to %s\n", "falls back",
                           Num(fit.fallback_x()), reference);
  } else {
    out << absl::StrFormat("  %-14s never (not back down to %s)\n",
                           "falls back", reference);
  }
}

void PrintCrossHost(const v1::ModelFit& fit, std::ostream& out) {
  const v1::CrossHostTest& test = fit.cross_host();
  out << "\n"
      << absl::StrFormat("  %12s %12s %12s %10s   %-28s %s\n", "x", "measured",
                         "predicted", "error", "95% prediction interval",
                         "inside");
  for (const v1::PredictionCheck& p : test.predictions()) {
    const std::string error =
        p.has_relative_error()
            ? absl::StrFormat("%+.2f%%", 100 * p.relative_error())
            : "n/a";
    out << absl::StrFormat(
        "  %12s %12s %12s %10s   %-28s %s\n", Num(p.x()), Num(p.measured()),
        Num(p.predicted()), error,
        absl::StrCat("[", Num(p.pi_low()), ", ", Num(p.pi_high()), "]"),
        p.inside() ? "yes" : "no");
  }
  out << "\n"
      << absl::StrFormat("  %-14s %s\n", "RMSE", Num(test.rmse()))
      // Lines of their own, whole, for people and scripts to find.
      << "\nverdict: " << test.verdict() << "\n";
  if (test.has_saturation()) out << "saturation: " << test.saturation() << "\n";
}

void PrintFit(const std::string& data, const v1::ModelFit& fit,
              std::ostream& out) {
  const v1::ModelSpec& spec = fit.spec();
  const std::string group = analysis::GroupLabel(fit);
  out << ModelFlagValue(spec) << " fit of " << spec.y() << " on " << spec.x()
      << " (" << data << (group.empty() ? "" : ", ") << group << ")\n";
  if (!fit.error().empty()) {
    absl::string_view error = fit.error();
    if (!group.empty()) absl::ConsumePrefix(&error, absl::StrCat(group, ": "));
    out << "  error: " << error << "\n";
    return;
  }
  absl::StatusOr<const analysis::Model*> model =
      analysis::FindModel(spec.fit());
  if (!model.ok()) {
    out << "  error: " << model.status().message() << "\n";
    return;
  }
  if (fit.has_cross_host()) {
    out << absl::StrFormat(
        "  trained on %s (%d rows), tested on %s (%d rows)\n\n",
        analysis::FormatRowFilter(spec.train()), fit.n(),
        analysis::FormatRowFilter(spec.test()),
        fit.cross_host().predictions_size());
  } else {
    out << "  " << fit.n() << " rows\n";
    out << Indented(WrapLines(
               absl::StrCat("in words: ", analysis::FitInWords(**model, fit),
                            "\n"),
               kTextWidth - 2))
        << "\n";
  }
  PrintParameters(**model, fit, out);
  PrintStatistics(**model, fit, out);
  if (fit.has_cross_host()) PrintCrossHost(fit, out);
}

}  // namespace

void PrintText(const std::string& data, const std::vector<v1::ModelFit>& fits,
               std::ostream& out) {
  bool first = true;
  for (const v1::ModelFit& fit : fits) {
    if (!first) out << "\n";
    first = false;
    PrintFit(data, fit, out);
  }
}

std::string ToJson(const v1::ModelSpec& spec,
                   const std::vector<v1::ModelFit>& fits) {
  JsonWriter w;
  w.BeginObject();
  w.Key("spec");
  analysis::WriteModelSpecJson(spec, w);
  w.Key("fits").BeginArray();
  for (const v1::ModelFit& fit : fits) {
    analysis::WriteModelFitJson(fit, analysis::FitSpecInJson::kOmit, w);
  }
  w.EndArray();
  w.EndObject();
  return w.str() + "\n";
}

}  // namespace scalebench::cli
