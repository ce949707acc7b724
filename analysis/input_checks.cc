#include "analysis/input_checks.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"

namespace scalebench::analysis {

int DistinctCount(absl::Span<const double> values) {
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  return static_cast<int>(std::unique(sorted.begin(), sorted.end()) -
                          sorted.begin());
}

absl::Status CheckPoints(absl::Span<const double> x,
                         absl::Span<const double> y) {
  if (x.size() != y.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("x has ", x.size(), " values but y has ", y.size()));
  }
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("point ", i + 1, " is not finite"));
    }
  }
  if (y.size() > 1 && DistinctCount(y) == 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("all y values are equal (y = ", y[0],
                     "): there is no variation to fit and R^2 is undefined"));
  }
  return absl::OkStatus();
}

absl::Status CheckIdentifiable(absl::Span<const double> x, int parameters,
                               absl::string_view model) {
  const int n = static_cast<int>(x.size());
  if (n < parameters + 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        model, " has ", parameters, " parameters and needs at least ",
        parameters + 1, " points (one residual degree of freedom); got ", n));
  }
  const int distinct = DistinctCount(x);
  if (distinct == 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("all x values are equal (x = ", x[0], "): ", model,
                     " needs at least ", parameters, " distinct x values"));
  }
  if (distinct < parameters) {
    return absl::InvalidArgumentError(
        absl::StrCat("only ", distinct, " distinct x values: ", model,
                     " needs at least ", parameters));
  }
  return absl::OkStatus();
}

}  // namespace scalebench::analysis
