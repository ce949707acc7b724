// The command line of `scalebench fit`, parsed and checked: which file,
// and the v1::ModelSpec its flags describe (columns, model, grouping, the
// cross-host split). Only flag parsing lives here. Plain data;
// thread-compatible.
#ifndef SCALEBENCH_CLI_FIT_REQUEST_H_
#define SCALEBENCH_CLI_FIT_REQUEST_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/client.h"
#include "common/command_line.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::cli {

// What `scalebench fit --help` prints below the list of flags: the models,
// the JSON, the exit status and examples.
extern const char kFitManual[];

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

// The flags of `scalebench fit` as given, before they are checked.
struct FitFlags {
  // Exactly one of the two: a CSV file, or an experiment whose stored fits
  // are printed (then the model flags do not apply).
  std::string data;
  std::string experiment;
  ClientFlags client;
  std::string x;
  std::string y;
  std::string model;
  std::string by;
  std::string train;
  std::string test;
  OutputFormat output = OutputFormat::kText;
};

// Adds the flags to `fit` (the subcommand), bound to `flags`, with its
// manual as the help's footer. --data and --experiment exclude each other;
// CheckFitSource says which is needed.
void AddFitFlags(CLI::App& fit, FitFlags* flags);

// OK when exactly one of --data and --experiment is given, and with --data
// --x, --y and --model, with --experiment none of the model flags.
// INVALID_ARGUMENT naming the flag otherwise ("--data is required (or
// --experiment ...)", "--x is required with --data").
absl::Status CheckFitSource(const FitFlags& flags);

struct FitRequest {
  std::string data;
  OutputFormat output = OutputFormat::kText;
  // From --model, --x, --y, --by, --train and --test.
  v1::ModelSpec spec;
};

// Checks the flags and builds the request. INVALID_ARGUMENT, naming the
// flag, for a bad --model, --by or --train/--test expression, or a spec
// that analysis::ValidateModelSpec refuses (--train without --test,
// --train/--test with usl or amdahl, a column given twice to --by).
absl::StatusOr<FitRequest> MakeFitRequest(const FitFlags& flags);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_FIT_REQUEST_H_
