// The flags of the permutation test that finds change points
// (analysis::DetectChangePoints), shared by `scalebench changepoints` and
// `scalebench history` so that both take, describe and check them alike.
// No global state.
#ifndef SCALEBENCH_CLI_CHANGE_POINT_FLAGS_H_
#define SCALEBENCH_CLI_CHANGE_POINT_FLAGS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "analysis/change_points.h"
#include "common/command_line.h"

namespace scalebench::cli {

// Adds --significance, --permutations and --min-segment to `command`,
// bound to the fields of those names in `options`; the help gives each
// flag's range and its default, the value `options` holds now. `points`
// names what a segment is made of ("points", "nights").
void AddChangePointFlags(CLI::App& command, absl::string_view points,
                         analysis::ChangePointOptions* options);

// OK, or analysis::ValidateChangePointOptions' INVALID_ARGUMENT with the
// message naming the flag instead of the field ("--permutations must be at
// most 9999; got 10000").
absl::Status ValidateChangePointFlags(
    const analysis::ChangePointOptions& options);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_CHANGE_POINT_FLAGS_H_
