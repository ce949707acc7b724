// One interface for every scalability model (linear, poly:D, usl, amdahl):
// how a v1::ModelSpec of its kind is named, parsed and checked, how it is
// fitted, and what a fit says (prediction with its intervals, peak,
// fallback, parameters, statistics). Each model is one file in
// analysis/models/, registered by one line in model_registry.cc; analysis
// (model_fit.h), `scalebench fit`, the report and the coordinator reach a
// model only through FindModel (model_registry.h), never by a switch on
// the kind. Models are immutable singletons and FittedModel is immutable
// once made: concurrent const use is safe.
#ifndef SCALEBENCH_ANALYSIS_MODEL_H_
#define SCALEBENCH_ANALYSIS_MODEL_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "analysis/estimate.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::analysis {

// A fitted parameter with its name: "b0", "lambda".
struct NamedEstimate {
  std::string name;
  Estimate estimate;
};

// A model fitted to points.
class FittedModel {
 public:
  virtual ~FittedModel() = default;

  virtual FitStatistics Statistics() const = 0;
  // In the model's order ("b0", "b1", ... ; "lambda", "sigma", ...), each
  // with its standard error and 95% interval.
  virtual std::vector<NamedEstimate> Parameters() const = 0;
  // The curve at x with its 95% confidence and prediction intervals.
  virtual Prediction Predict(double x) const = 0;
  // The curve's highest maximum (at x >= the smallest x fitted); absent
  // when it has none.
  virtual std::optional<CurvePoint> Peak() const = 0;
  // The largest x fitted: a peak beyond it is an extrapolation.
  virtual double x_max() const = 0;
  // The x past the peak where the curve is back down to its value at the
  // model's reference point (ModelInfo::fallback_reference); absent when
  // it never comes back.
  virtual std::optional<double> Fallback() const = 0;
};

// A parameter a model fixes instead of fitting (Amdahl's kappa = 0), shown
// beside the fitted ones.
struct FixedParameter {
  std::string name;
  double value = 0;
  // Why, for people: "Amdahl's law".
  std::string reason;
};

// What people are told about a model, and what it may be used for.
struct ModelInfo {
  // The heading of its parameter table: "coefficient" or "parameter".
  std::string parameter_noun = "parameter";
  // The fallback's reference point for people: "its value at x = 1".
  std::string fallback_reference;
  // Shown after the fitted parameters, in this order.
  std::vector<FixedParameter> fixed;
  // Whether its fits have a leave-one-out error (FitStatistics::loo_rmse).
  bool has_loo = false;
  // Whether a cross-host test (ModelSpec.train and .test) may use it.
  bool cross_host = false;
  // Whether it reads ModelSpec.degree (every other model requires 0).
  bool takes_degree = false;
};

// How ValidateModelSpec names a ModelSpec field in messages, given its
// proto name ("degree"); unset: the proto name itself.
using FieldNamer = std::function<std::string(absl::string_view field)>;

class Model {
 public:
  virtual ~Model() = default;

  // The kind this model fits; unique in the registry.
  virtual v1::ModelKind kind() const = 0;
  virtual const ModelInfo& info() const = 0;

  // The model's name as `scalebench fit --model` takes it and the report
  // shows it: "linear", "poly:2". Default: the kind's name
  // (api/enum_names.h).
  virtual std::string Name(const v1::ModelSpec& spec) const;
  // How Name is spelled, for lists of choices: "poly:D (2 <= D <= 10)".
  // Default: the kind's name.
  virtual std::string NameSyntax() const;
  // The spec (only `fit`, and `degree` where the model takes one) that
  // Name spells as the kind's name followed by ":" and `argument`, or
  // without one when `argument` is absent. INVALID_ARGUMENT with an empty
  // message when that is not a spelling of this model (the caller lists
  // NameSyntax of every model); with a message when a better spelling
  // exists ("is the straight line: write --model linear"). Default: no
  // argument.
  virtual absl::StatusOr<v1::ModelSpec> ParseName(
      std::optional<absl::string_view> argument) const;

  // Checks the spec's fields this model reads besides x, y, by, train and
  // test: INVALID_ARGUMENT "FIELD: ..." with FIELD from `field`. Default:
  // degree must be 0 ("degree: only poly takes a degree, not usl; got 2").
  virtual absl::Status CheckSpec(const v1::ModelSpec& spec,
                                 const FieldNamer& field) const;

  // Fits the model that `spec` describes (already checked by CheckSpec) to
  // the points (x[i], y[i]); repeated x are used as they are.
  // INVALID_ARGUMENT saying why when the points cannot identify it.
  virtual absl::StatusOr<std::unique_ptr<FittedModel>> Fit(
      const v1::ModelSpec& spec, absl::Span<const double> x,
      absl::Span<const double> y) const = 0;

  // Parameter `index` of the table for people: "b1 (x)". Default: `name`.
  virtual std::string ParameterLabel(int index, const std::string& name) const;
};

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_MODEL_H_
