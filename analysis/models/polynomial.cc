// MODEL_KIND_POLY and MODEL_KIND_LINEAR: polynomials by ordinary least
// squares (analysis/ols.h), with the peak and fallback of
// analysis/curve_features.h.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "analysis/curve_features.h"
#include "analysis/model.h"
#include "analysis/models/models.h"
#include "analysis/ols.h"
#include "api/enum_names.h"

namespace scalebench::analysis::models {
namespace {

class FittedPolynomial final : public FittedModel {
 public:
  explicit FittedPolynomial(PolynomialFit fit) : fit_(std::move(fit)) {}

  FitStatistics Statistics() const override { return fit_.statistics(); }
  std::vector<NamedEstimate> Parameters() const override {
    std::vector<NamedEstimate> parameters;
    for (size_t k = 0; k < fit_.coefficients().size(); ++k) {
      parameters.push_back({absl::StrCat("b", k), fit_.coefficients()[k]});
    }
    return parameters;
  }
  Prediction Predict(double x) const override { return fit_.Predict(x); }
  std::optional<CurvePoint> Peak() const override {
    return analysis::Peak(fit_);
  }
  double x_max() const override { return fit_.x_max(); }
  std::optional<double> Fallback() const override {
    return FallbackPoint(fit_, fit_.x_min());
  }

 private:
  PolynomialFit fit_;
};

ModelInfo PolynomialInfo(bool takes_degree) {
  ModelInfo info;
  info.parameter_noun = "coefficient";
  info.fallback_reference = "its value at the smallest x measured";
  info.has_loo = true;
  info.cross_host = true;
  info.takes_degree = takes_degree;
  return info;
}

// What polynomials of every degree share.
class PolynomialBase : public Model {
 public:
  std::string ParameterLabel(int index,
                             const std::string& name) const override {
    if (index == 0) return name;
    if (index == 1) return absl::StrCat(name, " (x)");
    return absl::StrCat(name, " (x^", index, ")");
  }

 protected:
  static absl::StatusOr<std::unique_ptr<FittedModel>> FitDegree(
      int degree, absl::Span<const double> x, absl::Span<const double> y) {
    absl::StatusOr<PolynomialFit> fit = PolynomialFit::Fit(x, y, degree);
    if (!fit.ok()) return fit.status();
    return std::make_unique<FittedPolynomial>(*std::move(fit));
  }
};

class PolynomialModel final : public PolynomialBase {
 public:
  v1::ModelKind kind() const override { return v1::MODEL_KIND_POLY; }
  const ModelInfo& info() const override { return info_; }

  std::string Name(const v1::ModelSpec& spec) const override {
    return absl::StrCat(api::EnumName(kind()), ":", spec.degree());
  }
  std::string NameSyntax() const override {
    return absl::StrCat(api::EnumName(kind()), ":D (", kMinPolyDegree,
                        " <= D <= ", kMaxPolyDegree, ")");
  }
  absl::StatusOr<v1::ModelSpec> ParseName(
      std::optional<absl::string_view> argument) const override {
    int degree = 0;
    if (!argument.has_value() || !absl::SimpleAtoi(*argument, &degree)) {
      return absl::InvalidArgumentError("");
    }
    if (degree == 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("is the straight line: write --model ",
                       api::EnumName(v1::MODEL_KIND_LINEAR)));
    }
    if (degree < kMinPolyDegree || degree > kMaxPolyDegree) {
      return absl::InvalidArgumentError("");
    }
    v1::ModelSpec spec;
    spec.set_fit(kind());
    spec.set_degree(degree);
    return spec;
  }
  absl::Status CheckSpec(const v1::ModelSpec& spec,
                         const FieldNamer& field) const override {
    const std::string degree = field ? field("degree") : "degree";
    if (spec.degree() == 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(degree, ": 1 is the straight line: use the model '",
                       api::EnumName(v1::MODEL_KIND_LINEAR), "'"));
    }
    if (spec.degree() < kMinPolyDegree || spec.degree() > kMaxPolyDegree) {
      return absl::InvalidArgumentError(absl::StrCat(
          degree, ": ", api::EnumName(kind()), " needs a degree from ",
          kMinPolyDegree, " to ", kMaxPolyDegree, "; got ", spec.degree()));
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<FittedModel>> Fit(
      const v1::ModelSpec& spec, absl::Span<const double> x,
      absl::Span<const double> y) const override {
    return FitDegree(static_cast<int>(spec.degree()), x, y);
  }

 private:
  const ModelInfo info_ = PolynomialInfo(/*takes_degree=*/true);
};

class LinearModel final : public PolynomialBase {
 public:
  v1::ModelKind kind() const override { return v1::MODEL_KIND_LINEAR; }
  const ModelInfo& info() const override { return info_; }

  absl::StatusOr<std::unique_ptr<FittedModel>> Fit(
      const v1::ModelSpec& /*spec*/, absl::Span<const double> x,
      absl::Span<const double> y) const override {
    return FitDegree(1, x, y);
  }

 private:
  const ModelInfo info_ = PolynomialInfo(/*takes_degree=*/false);
};

}  // namespace

const Model& Polynomial() {
  static const PolynomialModel* const kModel = new PolynomialModel();
  return *kModel;
}

const Model& Linear() {
  static const LinearModel* const kModel = new LinearModel();
  return *kModel;
}

}  // namespace scalebench::analysis::models
