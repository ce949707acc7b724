#include "analysis/model_fit.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analysis/cross_host.h"
#include "analysis/fit_proto.h"
#include "analysis/model_registry.h"
#include "analysis/row_selector.h"
#include "api/enum_names.h"

namespace scalebench::analysis {
namespace {

std::string Field(const ApplyModelOptions& options, absl::string_view field) {
  return options.field_name ? options.field_name(field) : std::string(field);
}

template <typename... Parts>
absl::Status FieldError(const ApplyModelOptions& options,
                        absl::string_view field, const Parts&... parts) {
  return absl::InvalidArgumentError(
      absl::StrCat(Field(options, field), ": ", parts...));
}

bool HasFactors(const v1::RowFilter& filter) {
  return !filter.factors().empty();
}

bool IsCrossHost(const v1::ModelSpec& spec) {
  return HasFactors(spec.train()) && HasFactors(spec.test());
}

// The table's column index for the column `name` that spec field `field`
// names.
absl::StatusOr<int> ResolveColumn(const RowTable& table,
                                  const std::string& name,
                                  absl::string_view field,
                                  const ApplyModelOptions& options) {
  const std::optional<int> column = table.FindColumn(name);
  if (column.has_value()) return *column;
  return FieldError(
      options, field, "no column named '", name, "'",
      table.source().empty() ? "" : absl::StrCat(" in ", table.source()),
      " (the columns are: ", absl::StrJoin(table.columns(), ", "), ")");
}

// Everything ApplyModel needs from the table, resolved once.
struct Plan {
  int x = 0;
  int y = 0;
  std::vector<int> by;
  // Set for a cross-host test.
  std::optional<RowSelector> train;
  std::optional<RowSelector> test;
};

absl::StatusOr<Plan> MakePlan(const v1::ModelSpec& spec, const RowTable& table,
                              const ApplyModelOptions& options) {
  Plan plan;
  absl::StatusOr<int> column = ResolveColumn(table, spec.x(), "x", options);
  if (!column.ok()) return column.status();
  plan.x = *column;
  column = ResolveColumn(table, spec.y(), "y", options);
  if (!column.ok()) return column.status();
  plan.y = *column;
  for (const std::string& name : spec.by()) {
    column = ResolveColumn(table, name, "by", options);
    if (!column.ok()) return column.status();
    plan.by.push_back(*column);
  }
  if (IsCrossHost(spec)) {
    absl::StatusOr<RowSelector> train =
        RowSelector::Create(spec.train(), table, Field(options, "train"));
    if (!train.ok()) return train.status();
    absl::StatusOr<RowSelector> test =
        RowSelector::Create(spec.test(), table, Field(options, "test"));
    if (!test.ok()) return test.status();
    plan.train = *std::move(train);
    plan.test = *std::move(test);
  }
  return plan;
}

struct Group {
  // The texts of the `by` columns, in spec.by order.
  std::vector<std::string> key;
  std::vector<size_t> rows;
};

// Rows per group, groups in order of first appearance; one group with an
// empty key when there are no `by` columns.
std::vector<Group> GroupRows(const RowTable& table,
                             const std::vector<int>& by) {
  std::vector<Group> groups;
  absl::flat_hash_map<std::vector<std::string>, size_t> index;
  if (by.empty()) groups.push_back({});
  for (size_t row = 0; row < table.row_count(); ++row) {
    if (by.empty()) {
      groups.front().rows.push_back(row);
      continue;
    }
    std::vector<std::string> key;
    for (int column : by) key.push_back(table.cell(row, column).text);
    auto [it, added] = index.emplace(key, groups.size());
    if (added) groups.push_back({std::move(key), {}});
    groups[it->second].rows.push_back(row);
  }
  return groups;
}

struct Points {
  std::vector<double> x;
  std::vector<double> y;
};

absl::Status AddPoint(const RowTable& table, const Plan& plan, size_t row,
                      Points& points) {
  absl::StatusOr<double> x = table.Number(row, plan.x);
  if (!x.ok()) return x.status();
  absl::StatusOr<double> y = table.Number(row, plan.y);
  if (!y.ok()) return y.status();
  points.x.push_back(*x);
  points.y.push_back(*y);
  return absl::OkStatus();
}

// Sets `fit.error` from a failed fit's status, naming the group.
void SetError(const absl::Status& status, v1::ModelFit& fit) {
  const std::string group = GroupLabel(fit);
  fit.set_error(group.empty() ? std::string(status.message())
                              : absl::StrCat(group, ": ", status.message()));
}

// The points of `group` the fit uses: with a cross-host test, its
// training rows in `train` and its test rows in `test`; otherwise all in
// `train`.
absl::Status CollectPoints(const v1::ModelSpec& spec, const RowTable& table,
                           const Plan& plan, const Group& group,
                           const ApplyModelOptions& options, Points& train,
                           Points& test) {
  for (size_t row : group.rows) {
    bool in_train = true;
    if (plan.train.has_value()) {
      in_train = plan.train->Matches(table, row);
      const bool in_test = plan.test->Matches(table, row);
      if (in_train && in_test) {
        return absl::InvalidArgumentError(absl::StrCat(
            table.origin(row), ": the row matches both ",
            Field(options, "train"), " ", FormatRowFilter(spec.train()),
            " and ", Field(options, "test"), " ",
            FormatRowFilter(spec.test())));
      }
      if (!in_train && !in_test) continue;
    }
    if (absl::Status s = AddPoint(table, plan, row, in_train ? train : test);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// What `f`, fitted on `train`, says about growth up to the largest test
// x: a line's slope (two coefficients, b0 + b1 x), else the curve's rise
// from the smallest training x.
GrowthCheck Growth(const FittedModel& f, const v1::ModelSpec& spec,
                   const Points& train, const Points& test) {
  const std::vector<NamedEstimate> parameters = f.Parameters();
  if (parameters.size() == 2 && parameters[1].name == "b1") {
    return SlopeGrowth(parameters[1].estimate, spec.x(), spec.y());
  }
  return CurveGrowth(
      f.Predict(*std::min_element(train.x.begin(), train.x.end())),
      f.Predict(*std::max_element(test.x.begin(), test.x.end())), spec.x(),
      spec.y());
}

// Fits `model` to the group's points into `fit`; a fit that fails sets
// fit.error. Errors only for the rows themselves (CollectPoints).
absl::Status FitGroup(const Model& model, const v1::ModelSpec& spec,
                      const RowTable& table, const Plan& plan,
                      const Group& group, const ApplyModelOptions& options,
                      v1::ModelFit& fit) {
  Points train;
  Points test;
  if (absl::Status s =
          CollectPoints(spec, table, plan, group, options, train, test);
      !s.ok()) {
    return s;
  }
  fit.set_n(static_cast<uint32_t>(train.x.size()));
  const bool cross_host = plan.train.has_value();
  if (cross_host) {
    if (absl::Status s = CheckTestPoints(test.x, test.y); !s.ok()) {
      SetError(s, fit);
      return absl::OkStatus();
    }
  }
  absl::StatusOr<std::unique_ptr<FittedModel>> fitted =
      model.Fit(spec, train.x, train.y);
  if (!fitted.ok()) {
    SetError(cross_host ? absl::InvalidArgumentError(absl::StrCat(
                              "training rows: ", fitted.status().message()))
                        : fitted.status(),
             fit);
    return absl::OkStatus();
  }
  FillModelFit(**fitted, fit);
  if (cross_host) {
    const FittedModel& f = **fitted;
    FillCrossHost(JudgeHeldOut([&f](double x) { return f.Predict(x); }, test.x,
                               test.y, Growth(f, spec, train, test)),
                  fit);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateModelSpec(const v1::ModelSpec& spec,
                               const ApplyModelOptions& options) {
  const std::string kind = api::EnumName(spec.fit());
  if (spec.fit() == v1::MODEL_KIND_UNSPECIFIED) {
    return FieldError(options, "fit", "must be one of ",
                      absl::StrJoin(ModelNames(), ", "));
  }
  absl::StatusOr<const Model*> model = FindModel(spec.fit());
  if (!model.ok()) return FieldError(options, "fit", model.status().message());
  FieldNamer field = [&options](absl::string_view name) {
    return Field(options, name);
  };
  if (absl::Status s = (*model)->CheckSpec(spec, field); !s.ok()) return s;
  if (spec.x().empty()) return FieldError(options, "x", "is required");
  if (spec.y().empty()) return FieldError(options, "y", "is required");
  absl::flat_hash_set<std::string> by;
  for (const std::string& name : spec.by()) {
    if (name.empty()) return FieldError(options, "by", "a column is empty");
    if (!by.insert(name).second) {
      return FieldError(options, "by", "'", name, "' is named twice");
    }
  }
  if (HasFactors(spec.train()) != HasFactors(spec.test())) {
    const absl::string_view missing =
        HasFactors(spec.train()) ? "test" : "train";
    return FieldError(options, missing,
                      "is required for a cross-host test: give ",
                      Field(options, "train"), " and ", Field(options, "test"),
                      " together, or neither");
  }
  if (IsCrossHost(spec) && !(*model)->info().cross_host) {
    std::vector<std::string> usable;
    for (const Model* m : Models()) {
      if (m->info().cross_host) usable.push_back(api::EnumName(m->kind()));
    }
    std::sort(usable.begin(), usable.end());
    return FieldError(options, "train", "a cross-host test needs ",
                      absl::StrJoin(usable, " or "), ", not ", kind,
                      " (it uses the polynomial's prediction intervals)");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::ModelFit>> ApplyModel(
    const v1::ModelSpec& spec, const RowTable& table,
    const ApplyModelOptions& options) {
  if (absl::Status s = ValidateModelSpec(spec, options); !s.ok()) return s;
  absl::StatusOr<const Model*> model = FindModel(spec.fit());
  if (!model.ok()) return model.status();  // ValidateModelSpec checked it
  absl::StatusOr<Plan> plan = MakePlan(spec, table, options);
  if (!plan.ok()) return plan.status();
  std::vector<v1::ModelFit> fits;
  for (const Group& group : GroupRows(table, plan->by)) {
    v1::ModelFit fit;
    *fit.mutable_spec() = spec;
    for (int i = 0; i < spec.by_size(); ++i) {
      (*fit.mutable_group())[spec.by(i)] = group.key[i];
    }
    // Only the one group of a table without rows is empty: say so rather
    // than how many points the model would need.
    if (group.rows.empty()) {
      fit.set_n(0);
      fit.set_error(std::string(kNoRowsToFit));
      fits.push_back(std::move(fit));
      continue;
    }
    if (absl::Status s =
            FitGroup(**model, spec, table, *plan, group, options, fit);
        !s.ok()) {
      return s;
    }
    fits.push_back(std::move(fit));
  }
  return fits;
}

absl::StatusOr<Refit> RefitStoredFit(const v1::ModelFit& fit,
                                     const RowTable& table) {
  const v1::ModelSpec& spec = fit.spec();
  if (absl::Status s = ValidateModelSpec(spec); !s.ok()) return s;
  absl::StatusOr<const Model*> model = FindModel(spec.fit());
  if (!model.ok()) return model.status();
  absl::StatusOr<Plan> plan = MakePlan(spec, table, {});
  if (!plan.ok()) return plan.status();
  std::vector<std::string> key;
  for (const std::string& column : spec.by()) {
    const auto value = fit.group().find(column);
    key.push_back(value == fit.group().end() ? "" : value->second);
  }
  Points train;
  Points test;
  for (const Group& group : GroupRows(table, plan->by)) {
    if (group.key != key) continue;
    if (absl::Status s =
            CollectPoints(spec, table, *plan, group, {}, train, test);
        !s.ok()) {
      return s;
    }
  }
  if (train.x.empty()) {
    return absl::InvalidArgumentError(std::string(kNoRowsToFit));
  }
  absl::StatusOr<std::unique_ptr<FittedModel>> fitted =
      (*model)->Fit(spec, train.x, train.y);
  if (!fitted.ok()) return fitted.status();
  Refit refit;
  refit.model = *std::move(fitted);
  refit.n = static_cast<int>(train.x.size());
  const auto [low, high] = std::minmax_element(train.x.begin(), train.x.end());
  refit.x_min = *low;
  refit.x_max = *high;
  for (double x : test.x) {
    refit.x_min = std::min(refit.x_min, x);
    refit.x_max = std::max(refit.x_max, x);
  }
  return refit;
}

std::string GroupLabel(const v1::ModelFit& fit) {
  std::vector<std::string> parts;
  for (const std::string& name : fit.spec().by()) {
    const auto it = fit.group().find(name);
    if (it != fit.group().end()) {
      parts.push_back(absl::StrCat(name, " = ", it->second));
    }
  }
  return absl::StrJoin(parts, ", ");
}

}  // namespace scalebench::analysis
