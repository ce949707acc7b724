// The scalebench-loadgen command line: parsing into LoadOptions, and the
// help text. Pure; thread-safe.
#ifndef SCALEBENCH_LOADGEN_FLAGS_H_
#define SCALEBENCH_LOADGEN_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "loadgen/options.h"

namespace scalebench::loadgen {

enum class OutputFormat { kText, kJson, kProto };

struct CommandLine {
  LoadOptions options;
  OutputFormat output = OutputFormat::kText;
  bool help = false;
};

// Parses the arguments after the program name. INVALID_ARGUMENT with a
// message naming the flag and what it expects.
absl::StatusOr<CommandLine> ParseCommandLine(
    const std::vector<std::string>& args);

// The --help text.
std::string Usage();

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_FLAGS_H_
