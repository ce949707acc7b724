// Helpers shared by the files of spec validation (validate.cc,
// validate_models.cc): a problem at a path, and the size checks. Internal
// to spec/; stateless; thread-safe.
#ifndef SCALEBENCH_SPEC_VALIDATE_INTERNAL_H_
#define SCALEBENCH_SPEC_VALIDATE_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/echo_text.h"
#include "scalebench/v1/spec.pb.h"
#include "spec/validate.h"

namespace scalebench::spec::validate_internal {

using Problem = std::optional<SpecProblem>;

// The most bytes of a field's path that a message repeats: a path can hold
// keys from the input (a filter's factor names).
constexpr size_t kMaxEchoedPath = 200;
template <typename... Parts>
Problem At(absl::string_view path, const Parts&... parts) {
  return SpecProblem{OneLine(path, kMaxEchoedPath), absl::StrCat(parts...)};
}

// A problem when list `path` has more than `max` elements, so that no
// later check walks a list beyond the limits.
inline Problem CheckListSize(absl::string_view path, int size, int max,
                             absl::string_view what) {
  if (size <= max) return std::nullopt;
  return At(path, "has ", size, " ", what, ", more than the ", max, " allowed");
}

// A problem when count `value` of `path` is above `max`.
inline Problem CheckAtMost(absl::string_view path, uint64_t value, uint64_t max,
                           absl::string_view why = "") {
  if (value <= max) return std::nullopt;
  return At(path, value, " is more than the maximum, ", max, why);
}

inline std::string Index(absl::string_view path, int i) {
  return absl::StrCat(path, "[", i, "]");
}

// The first problem of models[index]: its factors, its fit
// (analysis::ValidateModelSpec), its columns and its row filters.
Problem CheckModel(int index, const v1::ModelSpec& model);

}  // namespace scalebench::spec::validate_internal

#endif  // SCALEBENCH_SPEC_VALIDATE_INTERNAL_H_
