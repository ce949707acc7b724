// The command line of `scalebench fit`, parsed and checked: which file,
// and the v1::ModelSpec its flags describe (columns, model, grouping, the
// cross-host split). Only flag parsing lives here. Plain data;
// thread-compatible.
#ifndef SCALEBENCH_CLI_FIT_REQUEST_H_
#define SCALEBENCH_CLI_FIT_REQUEST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::cli {

// The text `scalebench fit --help` prints.
extern const char kFitHelp[];

// Parses --model: linear | poly:D (2 <= D <= 10) | usl | amdahl, the
// lower-case names of v1::ModelKind. Returns a spec with only `fit` and
// `degree` set. INVALID_ARGUMENT listing the valid names otherwise, and
// saying to write linear for poly:1.
absl::StatusOr<v1::ModelSpec> ParseModel(absl::string_view text);

// The --model spelling of the spec's model: "linear", "poly:2", "usl".
std::string ModelFlagValue(const v1::ModelSpec& spec);

// The flag that sets a v1::ModelSpec field, for messages: "--model" for
// "fit" and "degree", "--x" for "x", and so on.
std::string FlagForField(absl::string_view field);

struct FitRequest {
  bool help = false;
  std::string data;
  bool json = false;
  // From --model, --x, --y, --by, --train and --test.
  v1::ModelSpec spec;
};

// Parses the arguments after "fit": --flag VALUE or --flag=VALUE. With
// --help (or -h) anywhere, returns a request with only `help` set.
// INVALID_ARGUMENT for an unknown, repeated or valueless flag, a missing
// required flag, a bad --model, --by or --train/--test expression, or a
// spec that analysis::ValidateModelSpec refuses (--train without --test,
// --train/--test with usl or amdahl, a column given twice to --by), with
// the message naming the flag.
absl::StatusOr<FitRequest> ParseFitRequest(
    const std::vector<std::string>& args);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_FIT_REQUEST_H_
