// The command line of `scalebench fit`, parsed and checked: which file,
// columns and model, grouping, and the cross-host split. Plain data;
// thread-compatible.
#ifndef SCALEBENCH_CLI_FIT_REQUEST_H_
#define SCALEBENCH_CLI_FIT_REQUEST_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/row_filter.h"

namespace scalebench::cli {

// The text `scalebench fit --help` prints.
extern const char kFitHelp[];

struct ModelSpec {
  enum class Kind { kPolynomial, kUsl, kAmdahl };
  Kind kind = Kind::kPolynomial;
  // For kPolynomial: 1 for "linear", D for "poly:D".
  int degree = 1;
  // As the user wrote it, normalized: "linear", "poly:2", "usl", "amdahl".
  std::string name;
};

// The largest polynomial degree accepted; higher ones are never a sane
// scalability model and only invite ill-conditioning.
inline constexpr int kMaxPolynomialDegree = 10;

// Parses linear | poly:D | usl | amdahl. INVALID_ARGUMENT listing the
// valid names otherwise.
absl::StatusOr<ModelSpec> ParseModel(absl::string_view text);

struct FitRequest {
  bool help = false;
  std::string data;
  std::string x;
  std::string y;
  ModelSpec model;
  std::optional<std::string> by;
  // Both set or neither.
  std::optional<RowFilter> train;
  std::optional<RowFilter> test;
  bool json = false;
};

// Parses the arguments after "fit": --flag VALUE or --flag=VALUE. With
// --help (or -h) anywhere, returns a request with only `help` set.
// INVALID_ARGUMENT for an unknown, repeated or valueless flag, a missing
// required flag, a bad --model, --train without --test (or the reverse),
// or --train/--test with a model other than linear or poly:D.
absl::StatusOr<FitRequest> ParseFitRequest(
    const std::vector<std::string>& args);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_FIT_REQUEST_H_
