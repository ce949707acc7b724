// The scalebench-loadgen command line on the shared layer
// (common/command_line.h): its flags bound to LoadOptions, the manual, and
// the checks that need every flag at once. Thread-compatible.
#ifndef SCALEBENCH_LOADGEN_FLAGS_H_
#define SCALEBENCH_LOADGEN_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/command_line.h"
#include "loadgen/options.h"

namespace scalebench::loadgen {

// What scalebench-loadgen --help opens with.
extern const char kLoadgenDescription[];

// What the flags set, before FinishFlags.
struct LoadgenFlags {
  LoadOptions options;
  OutputFormat output = OutputFormat::kText;
  // --mode as given, if it was; --rate alone implies open.
  std::string mode;
  std::string body_file;
};

// Adds every flag and the URL arguments to `app`, bound to `flags`, and
// the manual (exit status, examples) as the help's footer.
void AddLoadgenFlags(CLI::App& app, LoadgenFlags* flags);

// Completes `flags` after parsing: resolves the mode, reads --body-file,
// checks headers and URLs, and validates the options, naming flags in
// errors. INVALID_ARGUMENT saying what to fix.
absl::Status FinishFlags(LoadgenFlags* flags);

// The flag of a LoadOptions field, for messages: "--start-tolerance" for
// "start_tolerance", "URL" for "urls".
std::string FlagForOption(absl::string_view field);

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_FLAGS_H_
