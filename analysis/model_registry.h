// The registry of scalability models: every v1::ModelKind that can be
// fitted, and the one Model (model.h) that fits it. The list is in
// model_registry.cc, one line a model. An unknown kind is an error, never
// a fallback to another model. Immutable; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_MODEL_REGISTRY_H_
#define SCALEBENCH_ANALYSIS_MODEL_REGISTRY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "analysis/model.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::analysis {

// Every registered model, in v1::ModelKind order.
absl::Span<const Model* const> Models();

// Their kinds' names ("poly", "linear", ...), in the same order.
std::vector<std::string> ModelNames();

// The model of `kind`. INVALID_ARGUMENT "unknown model kind 'K'; the known
// ones are poly, linear, usl, amdahl" when no model is registered for it
// (K is the kind's name, or its number when the enum does not define it).
absl::StatusOr<const Model*> FindModel(v1::ModelKind kind);

// The name of the spec's model (Model::Name: "linear", "poly:2"); the
// kind's name ("" for unspecified) when no model is registered for it.
std::string ModelName(const v1::ModelSpec& spec);

// The model whose kind is named `name` ("usl"); nullptr when none is.
const Model* FindModelByName(absl::string_view name);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_MODEL_REGISTRY_H_
