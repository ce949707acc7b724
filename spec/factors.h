// The sweep's factors by name: the fields of v1::SweepSpec ("platform",
// "instances", ..., "connections"), which are also the result columns a
// model's `by`, `train` and `test` name. Derived from the descriptor, so a
// new factor needs no code here. Stateless; thread-safe.
#ifndef SCALEBENCH_SPEC_FACTORS_H_
#define SCALEBENCH_SPEC_FACTORS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace scalebench::spec {

// The factor names in SweepSpec field order, which is also the canonical
// (row-major, first slowest) order of the grid.
std::vector<std::string> FactorNames();

// Whether `name` is a factor.
bool IsFactor(absl::string_view name);

// OK when `text` spells a level of factor `name` as the YAML does: an
// enum's lower-case name ("docker"), a whole number ("2"), "true" or
// "false", a duration ("1s"). INVALID_ARGUMENT saying why otherwise (the
// caller prefixes the field); also when `name` is not a factor.
absl::Status CheckFactorLevel(absl::string_view name, absl::string_view text);

}  // namespace scalebench::spec

#endif  // SCALEBENCH_SPEC_FACTORS_H_
