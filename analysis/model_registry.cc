#include "analysis/model_registry.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analysis/models/models.h"
#include "api/enum_names.h"

namespace scalebench::analysis {
namespace {

// The registrations: one line a model.
std::vector<const Model*> Registered() {
  std::vector<const Model*> models = {
      &models::Polynomial(),
      &models::Linear(),
      &models::Usl(),
      &models::Amdahl(),
  };
  std::sort(models.begin(), models.end(), [](const Model* a, const Model* b) {
    return a->kind() < b->kind();
  });
  return models;
}

}  // namespace

absl::Span<const Model* const> Models() {
  static const std::vector<const Model*>* const kModels =
      new std::vector<const Model*>(Registered());
  return *kModels;
}

std::vector<std::string> ModelNames() {
  std::vector<std::string> names;
  for (const Model* model : Models()) {
    names.push_back(api::EnumName(model->kind()));
  }
  return names;
}

absl::StatusOr<const Model*> FindModel(v1::ModelKind kind) {
  for (const Model* model : Models()) {
    if (model->kind() == kind) return model;
  }
  std::string name = api::EnumName(kind);
  if (name.empty()) name = absl::StrCat(static_cast<int>(kind));
  return absl::InvalidArgumentError(
      absl::StrCat("unknown model kind '", name, "'; the known ones are ",
                   absl::StrJoin(ModelNames(), ", ")));
}

std::string ModelName(const v1::ModelSpec& spec) {
  absl::StatusOr<const Model*> model = FindModel(spec.fit());
  return model.ok() ? (*model)->Name(spec) : api::EnumName(spec.fit());
}

const Model* FindModelByName(absl::string_view name) {
  for (const Model* model : Models()) {
    if (api::EnumName(model->kind()) == name) return model;
  }
  return nullptr;
}

}  // namespace scalebench::analysis
