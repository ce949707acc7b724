#include "cli/change_point_flags.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace scalebench::cli {

void AddChangePointFlags(CLI::App& command, absl::string_view points,
                         analysis::ChangePointOptions* options) {
  command
      .add_option("--significance", options->significance,
                  absl::StrCat("largest p-value of a change point, from ",
                               1.0 / (analysis::kMaxPermutations + 1),
                               " to below 1; default ", options->significance))
      ->type_name("P");
  command
      .add_option("--permutations", options->permutations,
                  absl::StrCat("shuffles per test, at most ",
                               analysis::kMaxPermutations, "; default ",
                               options->permutations))
      ->type_name("R");
  command
      .add_option("--min-segment", options->min_segment,
                  absl::StrCat("fewest ", points,
                               " on either side of a change point, from 2 "
                               "to ",
                               analysis::kMaxMinSegment, "; default ",
                               options->min_segment))
      ->type_name("K");
}

absl::Status ValidateChangePointFlags(
    const analysis::ChangePointOptions& options) {
  absl::Status s = analysis::ValidateChangePointOptions(options);
  if (s.ok()) return s;
  // The library's messages start with the field's name: say the flag's.
  const std::pair<absl::string_view, absl::string_view> flag_for[] = {
      {"significance", "--significance"},
      {"permutations", "--permutations"},
      {"min_segment", "--min-segment"}};
  for (const auto& [field, flag] : flag_for) {
    if (absl::StartsWith(s.message(), field)) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, s.message().substr(field.size())));
    }
  }
  return s;
}

}  // namespace scalebench::cli
