#include "cli/fit_report.h"

#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/curve_features.h"
#include "analysis/estimate.h"
#include "common/json_writer.h"

namespace scalebench::cli {
namespace {

using analysis::CrossHostResult;
using analysis::CurvePoint;
using analysis::Estimate;
using analysis::PolynomialFit;
using analysis::UslFit;

// ---- Text ------------------------------------------------------------

// Six significant digits; "n/a" for anything that is not a finite number.
std::string Num(double value) {
  if (!std::isfinite(value)) return "n/a";
  return absl::StrFormat("%.6g", value);
}
std::string Num(const std::optional<double>& value) {
  return value.has_value() ? Num(*value) : "n/a";
}

std::string IntervalText(const analysis::Interval& interval) {
  return absl::StrCat("[", Num(interval.low), ", ", Num(interval.high), "]");
}

void PrintEstimateRow(const std::string& label, const Estimate& e,
                      std::ostream& out) {
  out << absl::StrFormat("  %-14s %14s %14s   %s\n", label, Num(e.value),
                         Num(e.std_error), IntervalText(e.ci));
}

void PrintEstimateHeader(const char* what, std::ostream& out) {
  out << absl::StrFormat("  %-14s %14s %14s   %s\n", what, "estimate",
                         "std error", "95% confidence interval");
}

void PrintCommonStats(double residual_se, int dof, double r2,
                      const std::optional<double>& adj_r2,
                      const std::optional<double>& aic,
                      const std::optional<double>& aicc, std::ostream& out) {
  out << "\n";
  out << absl::StrFormat("  %-14s %s on %d degrees of freedom\n", "residual SE",
                         Num(residual_se), dof);
  out << absl::StrFormat("  %-14s %s", "R^2", Num(r2));
  if (adj_r2.has_value()) out << "   adjusted " << Num(*adj_r2);
  out << "\n";
  out << absl::StrFormat("  %-14s %s   AICc %s\n", "AIC", Num(aic), Num(aicc));
}

void PrintPeak(const std::optional<CurvePoint>& peak, double x_max,
               const char* x_name, std::ostream& out) {
  if (!peak.has_value()) {
    out << absl::StrFormat("  %-14s none\n", "peak");
    return;
  }
  out << absl::StrFormat("  %-14s y = %s at %s = %s%s\n", "peak", Num(peak->y),
                         x_name, Num(peak->x),
                         peak->x > x_max ? " (beyond the data)" : "");
}

void PrintFallback(const std::optional<double>& fallback, double y_at_one,
                   const char* x_name, std::ostream& out) {
  if (!fallback.has_value()) {
    out << absl::StrFormat("  %-14s never back down to its value at %s = 1\n",
                           "falls back", x_name);
    return;
  }
  out << absl::StrFormat("  %-14s to its value at %s = 1 (%s) at %s = %s\n",
                         "falls back", x_name, Num(y_at_one), x_name,
                         Num(*fallback));
}

std::string CoefficientLabel(int power) {
  if (power == 0) return "b0";
  if (power == 1) return "b1 (x)";
  return absl::StrCat("b", power, " (x^", power, ")");
}

void PrintPolynomial(const PolynomialFit& fit, std::ostream& out) {
  PrintEstimateHeader("coefficient", out);
  for (size_t k = 0; k < fit.coefficients().size(); ++k) {
    PrintEstimateRow(CoefficientLabel(static_cast<int>(k)),
                     fit.coefficients()[k], out);
  }
  PrintCommonStats(fit.residual_se(), fit.dof(), fit.r2(), fit.adj_r2(),
                   fit.aic(), fit.aicc(), out);
  out << absl::StrFormat("  %-14s %s\n", "LOO RMSE", Num(fit.loo_rmse()));
  PrintPeak(analysis::Peak(fit), fit.x_max(), "x", out);
  PrintFallback(analysis::FallbackPoint(fit), fit.Evaluate(1), "x", out);
}

void PrintUsl(const UslFit& fit, std::ostream& out) {
  PrintEstimateHeader("parameter", out);
  PrintEstimateRow("lambda", fit.lambda(), out);
  PrintEstimateRow("sigma", fit.sigma(), out);
  if (fit.model() == analysis::ScalabilityModel::kUsl) {
    PrintEstimateRow("kappa", fit.kappa(), out);
  } else {
    out << absl::StrFormat("  %-14s %14s   (fixed: Amdahl's law)\n", "kappa",
                           "0");
  }
  PrintCommonStats(fit.residual_se(), fit.dof(), fit.r2(), std::nullopt,
                   fit.aic(), fit.aicc(), out);
  PrintPeak(analysis::Peak(fit), fit.n_max(), "N", out);
  PrintFallback(analysis::FallbackPoint(fit), fit.Evaluate(1), "N", out);
}

void PrintCrossHost(const FitRequest& request, const CrossHostResult& result,
                    std::ostream& out) {
  out << absl::StrFormat(
      "  trained on %s (%d rows), tested on %s (%d rows)\n\n",
      request.train->text(), result.fit.n(), request.test->text(),
      result.predictions.size());
  PrintPolynomial(result.fit, out);
  out << "\n"
      << absl::StrFormat("  %12s %12s %12s %10s   %-28s %s\n", "x", "measured",
                         "predicted", "error", "95% prediction interval",
                         "inside");
  for (const analysis::HeldOutPrediction& p : result.predictions) {
    const std::string error =
        p.relative_error.has_value()
            ? absl::StrFormat("%+.2f%%", 100 * *p.relative_error)
            : "n/a";
    out << absl::StrFormat("  %12s %12s %12s %10s   %-28s %s\n", Num(p.x),
                           Num(p.measured), Num(p.predicted), error,
                           IntervalText(p.prediction_interval),
                           p.inside ? "yes" : "no");
  }
  out << "\n"
      << absl::StrFormat("  %-14s %s\n", "RMSE", Num(result.rmse))
      << absl::StrFormat("  %-14s %s\n", "verdict", result.verdict);
}

// ---- JSON --------------------------------------------------------------

void OptionalNumber(JsonWriter& w, const std::optional<double>& value) {
  if (value.has_value()) {
    w.Double(*value);
  } else {
    w.Null();
  }
}

void WritePolynomialFields(const PolynomialFit& fit, JsonWriter& w) {
  w.Key("n").Int(fit.n());
  w.Key("dof").Int(fit.dof());
  w.Key("coefficients").BeginArray();
  for (const Estimate& e : fit.coefficients()) w.Double(e.value);
  w.EndArray();
  w.Key("std_errors").BeginArray();
  for (const Estimate& e : fit.coefficients()) w.Double(e.std_error);
  w.EndArray();
  w.Key("conf_int_95").BeginArray();
  for (const Estimate& e : fit.coefficients()) {
    w.BeginArray().Double(e.ci.low).Double(e.ci.high).EndArray();
  }
  w.EndArray();
  w.Key("r2").Double(fit.r2());
  w.Key("adj_r2").Double(fit.adj_r2());
  w.Key("aic");
  OptionalNumber(w, fit.aic());
  w.Key("aicc");
  OptionalNumber(w, fit.aicc());
  w.Key("residual_se").Double(fit.residual_se());
  w.Key("loo_rmse");
  OptionalNumber(w, fit.loo_rmse());
  const std::optional<CurvePoint> peak = analysis::Peak(fit);
  w.Key("peak_x");
  OptionalNumber(w, peak.has_value() ? std::optional(peak->x) : std::nullopt);
  w.Key("peak_y");
  OptionalNumber(w, peak.has_value() ? std::optional(peak->y) : std::nullopt);
  w.Key("fallback_x");
  OptionalNumber(w, analysis::FallbackPoint(fit));
}

void WriteUslFields(const UslFit& fit, JsonWriter& w) {
  w.Key("n").Int(fit.n());
  w.Key("dof").Int(fit.dof());
  const std::pair<const char*, const Estimate*> params[] = {
      {"lambda", &fit.lambda()},
      {"sigma", &fit.sigma()},
      {"kappa", &fit.kappa()}};
  w.Key("params").BeginObject();
  for (const auto& [name, e] : params) w.Key(name).Double(e->value);
  w.EndObject();
  w.Key("std_errors").BeginObject();
  for (const auto& [name, e] : params) w.Key(name).Double(e->std_error);
  w.EndObject();
  w.Key("conf_int_95").BeginObject();
  for (const auto& [name, e] : params) {
    w.Key(name).BeginArray().Double(e->ci.low).Double(e->ci.high).EndArray();
  }
  w.EndObject();
  const std::optional<CurvePoint> peak = analysis::Peak(fit);
  w.Key("peak_n");
  OptionalNumber(w, peak.has_value() ? std::optional(peak->x) : std::nullopt);
  w.Key("peak_y");
  OptionalNumber(w, peak.has_value() ? std::optional(peak->y) : std::nullopt);
  w.Key("fallback_n");
  OptionalNumber(w, analysis::FallbackPoint(fit));
  w.Key("r2").Double(fit.r2());
  w.Key("aic");
  OptionalNumber(w, fit.aic());
  w.Key("aicc");
  OptionalNumber(w, fit.aicc());
  w.Key("residual_se").Double(fit.residual_se());
}

void WriteCrossHostFields(const FitRequest& request,
                          const CrossHostResult& result, JsonWriter& w) {
  WritePolynomialFields(result.fit, w);
  w.Key("train").String(request.train->text());
  w.Key("test").String(request.test->text());
  w.Key("test_n").Int(static_cast<int64_t>(result.predictions.size()));
  w.Key("predictions").BeginArray();
  for (const analysis::HeldOutPrediction& p : result.predictions) {
    w.BeginObject();
    w.Key("x").Double(p.x);
    w.Key("measured").Double(p.measured);
    w.Key("predicted").Double(p.predicted);
    w.Key("relative_error");
    OptionalNumber(w, p.relative_error);
    w.Key("pi_low").Double(p.prediction_interval.low);
    w.Key("pi_high").Double(p.prediction_interval.high);
    w.Key("inside").Bool(p.inside);
    w.EndObject();
  }
  w.EndArray();
  w.Key("rmse").Double(result.rmse);
  w.Key("outside").Int(result.outside);
  w.Key("miss_probability").Double(result.miss_probability);
  w.Key("holds").Bool(result.holds);
  w.Key("verdict").String(result.verdict);
}

void WriteGroup(const FitRequest& request, const GroupResult& group,
                JsonWriter& w) {
  w.BeginObject();
  if (!group.error.empty()) {
    w.Key("error").String(group.error);
    w.EndObject();
    return;
  }
  w.Key("model").String(request.model.name);
  w.Key("x").String(request.x);
  w.Key("y").String(request.y);
  if (group.cross_host.has_value()) {
    WriteCrossHostFields(request, *group.cross_host, w);
  } else if (group.polynomial.has_value()) {
    WritePolynomialFields(*group.polynomial, w);
  } else if (group.usl.has_value()) {
    WriteUslFields(*group.usl, w);
  }
  w.EndObject();
}

}  // namespace

void PrintText(const FitRequest& request,
               const std::vector<GroupResult>& groups, std::ostream& out) {
  bool first = true;
  for (const GroupResult& group : groups) {
    if (!first) out << "\n";
    first = false;
    out << request.model.name << " fit of " << request.y << " on " << request.x
        << " (" << request.data;
    if (request.by.has_value()) {
      out << ", " << *request.by << " = " << group.group;
    }
    out << ")\n";
    if (!group.error.empty()) {
      out << "  error: " << group.error << "\n";
      continue;
    }
    if (group.cross_host.has_value()) {
      PrintCrossHost(request, *group.cross_host, out);
    } else if (group.polynomial.has_value()) {
      out << "  " << group.polynomial->n() << " rows\n\n";
      PrintPolynomial(*group.polynomial, out);
    } else if (group.usl.has_value()) {
      out << "  " << group.usl->n() << " rows\n\n";
      PrintUsl(*group.usl, out);
    }
  }
}

std::string ToJson(const FitRequest& request,
                   const std::vector<GroupResult>& groups) {
  JsonWriter w;
  if (request.by.has_value()) {
    w.BeginObject();
    for (const GroupResult& group : groups) {
      w.Key(group.group);
      WriteGroup(request, group, w);
    }
    w.EndObject();
  } else if (!groups.empty()) {
    WriteGroup(request, groups.front(), w);
  }
  return w.str() + "\n";
}

}  // namespace scalebench::cli
