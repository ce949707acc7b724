// The checks of a spec's models (validate.h): each model's factors, fit,
// columns and row filters.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analysis/model_fit.h"
#include "api/result_columns.h"
#include "common/echo_text.h"
#include "spec/factors.h"
#include "spec/limits.h"
#include "spec/validate_internal.h"

namespace scalebench::spec::validate_internal {
namespace {

Problem CheckRowFilter(const std::string& path, const v1::RowFilter& filter) {
  // The map's order is unspecified: report the first factor by name.
  std::vector<std::string> names;
  for (const auto& entry : filter.factors()) names.push_back(entry.first);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string at = absl::StrCat(path, ".", name);
    if (!IsFactor(name)) {
      return At(at, QuoteValue(name), " is not a factor; the factors are ",
                absl::StrJoin(FactorNames(), ", "));
    }
    const v1::FactorValues& values = filter.factors().at(name);
    if (values.values().empty()) return At(at, "lists no values");
    if (Problem p = CheckListSize(at, values.values_size(), kMaxLevelsPerFactor,
                                  "values")) {
      return p;
    }
    for (int i = 0; i < values.values_size(); ++i) {
      if (absl::Status s = CheckFactorLevel(name, values.values(i)); !s.ok()) {
        return At(Index(at, i), s.message());
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Problem CheckModel(int index, const v1::ModelSpec& model) {
  const std::string path = Index("models", index);
  analysis::ApplyModelOptions options;
  options.field_name = [&path](absl::string_view field) {
    return absl::StrCat(path, ".", field);
  };
  // Factor names first: the checks below may repeat a name in full.
  for (int i = 0; i < model.by_size(); ++i) {
    if (!IsFactor(model.by(i))) {
      return At(Index(path + ".by", i), QuoteValue(model.by(i)),
                " is not a factor; the factors are ",
                absl::StrJoin(FactorNames(), ", "));
    }
  }
  if (absl::Status s = analysis::ValidateModelSpec(model, options); !s.ok()) {
    // "models[1].degree: message": split the path back off.
    const absl::string_view message = s.message();
    const size_t colon = message.find(": ");
    if (colon == absl::string_view::npos) return At(path, message);
    return At(message.substr(0, colon), message.substr(colon + 2));
  }
  // The columns a model may use: api/result_columns.h.
  if (!api::IsColumn(api::ModelXColumns(), model.x())) {
    return At(path + ".x", QuoteValue(model.x()), " is not one of ",
              absl::StrJoin(api::ModelXColumns(), ", "));
  }
  if (!api::IsColumn(api::ModelYColumns(), model.y())) {
    return At(path + ".y", QuoteValue(model.y()), " is not one of ",
              absl::StrJoin(api::ModelYColumns(), ", "));
  }
  for (int i = 0; i < model.by_size(); ++i) {
    const std::string& by = model.by(i);
    if (by == model.x()) {
      return At(Index(path + ".by", i), "'", by,
                "' is x: grouping by it leaves one x value per fit");
    }
  }
  if (Problem p = CheckRowFilter(path + ".train", model.train())) return p;
  return CheckRowFilter(path + ".test", model.test());
}

}  // namespace scalebench::spec::validate_internal
