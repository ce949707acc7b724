// MODEL_KIND_USL and MODEL_KIND_AMDAHL: Gunther's Universal Scalability
// Law and Amdahl's law by nonlinear least squares (analysis/usl.h), with
// the peak and fallback of analysis/curve_features.h.
#include "analysis/usl.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/curve_features.h"
#include "analysis/model.h"
#include "analysis/models/models.h"

namespace scalebench::analysis::models {
namespace {

class FittedUsl final : public FittedModel {
 public:
  explicit FittedUsl(UslFit fit) : fit_(std::move(fit)) {}

  FitStatistics Statistics() const override { return fit_.statistics(); }
  std::vector<NamedEstimate> Parameters() const override {
    std::vector<NamedEstimate> parameters = {{"lambda", fit_.lambda()},
                                             {"sigma", fit_.sigma()}};
    if (fit_.model() == ScalabilityModel::kUsl) {
      parameters.push_back({"kappa", fit_.kappa()});
    }
    return parameters;
  }
  Prediction Predict(double x) const override { return fit_.Predict(x); }
  std::optional<CurvePoint> Peak() const override {
    return analysis::Peak(fit_);
  }
  double x_max() const override { return fit_.n_max(); }
  std::optional<double> Fallback() const override {
    return FallbackPoint(fit_, kOneInstance);
  }

 private:
  UslFit fit_;
};

class UslModel final : public Model {
 public:
  UslModel(v1::ModelKind kind, ScalabilityModel law, ModelInfo info)
      : kind_(kind), law_(law), info_(std::move(info)) {}

  v1::ModelKind kind() const override { return kind_; }
  const ModelInfo& info() const override { return info_; }

  absl::StatusOr<std::unique_ptr<FittedModel>> Fit(
      const v1::ModelSpec& /*spec*/, absl::Span<const double> x,
      absl::Span<const double> y) const override {
    absl::StatusOr<UslFit> fit = UslFit::Fit(x, y, law_);
    if (!fit.ok()) return fit.status();
    return std::make_unique<FittedUsl>(*std::move(fit));
  }

 private:
  const v1::ModelKind kind_;
  const ScalabilityModel law_;
  const ModelInfo info_;
};

ModelInfo UslInfo() {
  ModelInfo info;
  info.fallback_reference = "its value at x = 1";
  return info;
}

}  // namespace

const Model& Usl() {
  static const UslModel* const kModel =
      new UslModel(v1::MODEL_KIND_USL, ScalabilityModel::kUsl, UslInfo());
  return *kModel;
}

const Model& Amdahl() {
  static const UslModel* const kModel = [] {
    ModelInfo info = UslInfo();
    info.fixed.push_back({"kappa", 0, "Amdahl's law"});
    return new UslModel(v1::MODEL_KIND_AMDAHL, ScalabilityModel::kAmdahl,
                        std::move(info));
  }();
  return *kModel;
}

}  // namespace scalebench::analysis::models
