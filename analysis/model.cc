#include "analysis/model.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analysis/model_registry.h"
#include "api/enum_names.h"

namespace scalebench::analysis {

std::string Model::Name(const v1::ModelSpec& /*spec*/) const {
  return api::EnumName(kind());
}

std::string Model::NameSyntax() const { return api::EnumName(kind()); }

absl::StatusOr<v1::ModelSpec> Model::ParseName(
    std::optional<absl::string_view> argument) const {
  if (argument.has_value()) return absl::InvalidArgumentError("");
  v1::ModelSpec spec;
  spec.set_fit(kind());
  return spec;
}

absl::Status Model::CheckSpec(const v1::ModelSpec& spec,
                              const FieldNamer& field) const {
  if (spec.degree() == 0) return absl::OkStatus();
  std::vector<std::string> with_degree;
  for (const Model* model : Models()) {
    if (model->info().takes_degree) {
      with_degree.push_back(api::EnumName(model->kind()));
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field ? field("degree") : "degree", ": only ",
                   absl::StrJoin(with_degree, " or "), " takes a degree, not ",
                   api::EnumName(kind()), "; got ", spec.degree()));
}

std::string Model::ParameterLabel(int /*index*/,
                                  const std::string& name) const {
  return name;
}

}  // namespace scalebench::analysis
