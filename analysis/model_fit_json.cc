#include "analysis/model_fit_json.h"

#include <algorithm>
#include <string>
#include <vector>

#include "analysis/model_registry.h"
#include "api/enum_names.h"

namespace scalebench::analysis {
namespace {

void OptionalDouble(bool present, double value, JsonWriter& w) {
  if (present) {
    w.Double(value);
  } else {
    w.Null();
  }
}

void WriteRowFilter(const v1::RowFilter& filter, JsonWriter& w) {
  if (filter.factors().empty()) {
    w.Null();
    return;
  }
  std::vector<std::string> names;
  for (const auto& [name, values] : filter.factors()) names.push_back(name);
  std::sort(names.begin(), names.end());
  w.BeginObject().Key("factors").BeginObject();
  for (const std::string& name : names) {
    w.Key(name).BeginObject().Key("values").BeginArray();
    for (const std::string& value : filter.factors().at(name).values()) {
      w.String(value);
    }
    w.EndArray().EndObject();
  }
  w.EndObject().EndObject();
}

void WriteParameter(const v1::FittedParameter& p, JsonWriter& w) {
  w.BeginObject();
  w.Key("name").String(p.name());
  w.Key("estimate").Double(p.estimate());
  w.Key("std_error");
  OptionalDouble(p.has_std_error(), p.std_error(), w);
  w.Key("ci_low");
  OptionalDouble(p.has_ci_low(), p.ci_low(), w);
  w.Key("ci_high");
  OptionalDouble(p.has_ci_high(), p.ci_high(), w);
  w.EndObject();
}

void WriteCrossHost(const v1::CrossHostTest& test, JsonWriter& w) {
  w.BeginObject();
  w.Key("predictions").BeginArray();
  for (const v1::PredictionCheck& p : test.predictions()) {
    w.BeginObject();
    w.Key("x").Double(p.x());
    w.Key("measured").Double(p.measured());
    w.Key("predicted").Double(p.predicted());
    w.Key("relative_error");
    OptionalDouble(p.has_relative_error(), p.relative_error(), w);
    w.Key("pi_low").Double(p.pi_low());
    w.Key("pi_high").Double(p.pi_high());
    w.Key("inside").Bool(p.inside());
    w.EndObject();
  }
  w.EndArray();
  w.Key("rmse").Double(test.rmse());
  w.Key("outside").Uint(test.outside());
  w.Key("miss_probability").Double(test.miss_probability());
  w.Key("predictions_hold").Bool(test.predictions_hold());
  w.Key("growth");
  if (test.growth() == v1::CROSS_HOST_GROWTH_UNSPECIFIED) {
    w.Null();
  } else {
    w.String(api::EnumName(test.growth()));
  }
  w.Key("holds").Bool(test.holds());
  w.Key("verdict").String(test.verdict());
  w.Key("saturation");
  if (test.has_saturation()) {
    w.String(test.saturation());
  } else {
    w.Null();
  }
  w.EndObject();
}

}  // namespace

void WriteModelSpecJson(const v1::ModelSpec& spec, JsonWriter& w) {
  w.BeginObject();
  w.Key("fit");
  if (const std::string kind = api::EnumName(spec.fit()); kind.empty()) {
    w.Null();
  } else {
    w.String(kind);
  }
  w.Key("degree");
  if (absl::StatusOr<const Model*> model = FindModel(spec.fit());
      model.ok() && (*model)->info().takes_degree) {
    w.Uint(spec.degree());
  } else {
    w.Null();
  }
  w.Key("x").String(spec.x());
  w.Key("y").String(spec.y());
  w.Key("by").BeginArray();
  for (const std::string& name : spec.by()) w.String(name);
  w.EndArray();
  w.Key("train");
  WriteRowFilter(spec.train(), w);
  w.Key("test");
  WriteRowFilter(spec.test(), w);
  w.EndObject();
}

void WriteModelFitJson(const v1::ModelFit& fit, FitSpecInJson spec,
                       JsonWriter& w) {
  const bool ok = fit.error().empty();
  w.BeginObject();
  if (spec == FitSpecInJson::kInclude) {
    w.Key("spec");
    WriteModelSpecJson(fit.spec(), w);
  }
  w.Key("group").BeginObject();
  for (const std::string& name : fit.spec().by()) {
    const auto it = fit.group().find(name);
    if (it != fit.group().end()) w.Key(name).String(it->second);
  }
  w.EndObject();
  w.Key("n").Uint(fit.n());
  w.Key("dof");
  if (ok) {
    w.Int(fit.dof());
  } else {
    w.Null();
  }
  w.Key("parameters");
  if (ok) {
    w.BeginArray();
    for (const v1::FittedParameter& p : fit.parameters()) WriteParameter(p, w);
    w.EndArray();
  } else {
    w.Null();
  }
  const auto optional = [&](const char* key, bool present, double value) {
    w.Key(key);
    OptionalDouble(ok && present, value, w);
  };
  optional("r2", fit.has_r2(), fit.r2());
  optional("adj_r2", fit.has_adj_r2(), fit.adj_r2());
  optional("aic", fit.has_aic(), fit.aic());
  optional("aicc", fit.has_aicc(), fit.aicc());
  optional("residual_se", fit.has_residual_se(), fit.residual_se());
  optional("loo_rmse", fit.has_loo_rmse(), fit.loo_rmse());
  optional("peak_x", fit.has_peak_x(), fit.peak_x());
  optional("peak_y", fit.has_peak_y(), fit.peak_y());
  w.Key("peak_beyond_data");
  if (ok) {
    w.Bool(fit.peak_beyond_data());
  } else {
    w.Null();
  }
  optional("fallback_x", fit.has_fallback_x(), fit.fallback_x());
  w.Key("cross_host");
  if (ok && fit.has_cross_host()) {
    WriteCrossHost(fit.cross_host(), w);
  } else {
    w.Null();
  }
  w.Key("error");
  if (ok) {
    w.Null();
  } else {
    w.String(fit.error());
  }
  w.EndObject();
}

}  // namespace scalebench::analysis
