// Checks on (x, y) data shared by the model fits, so that every fit names
// the same problems in the same words. Pure functions; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_INPUT_CHECKS_H_
#define SCALEBENCH_ANALYSIS_INPUT_CHECKS_H_

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace scalebench::analysis {

// Number of distinct values (exact comparison).
int DistinctCount(absl::Span<const double> values);

// OK when x and y have the same length, every value is finite, and y is
// not constant; otherwise INVALID_ARGUMENT saying which. Zero points or one
// pass (CheckIdentifiable says how many more are needed).
absl::Status CheckPoints(absl::Span<const double> x,
                         absl::Span<const double> y);

// OK when there are at least parameters + 1 points (one residual degree of
// freedom) and at least `parameters` distinct x values; otherwise
// INVALID_ARGUMENT naming `model` (e.g. "a degree-2 polynomial").
absl::Status CheckIdentifiable(absl::Span<const double> x, int parameters,
                               absl::string_view model);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_INPUT_CHECKS_H_
