// The scalebench command line: `scalebench <command> [flags]`. Commands
// register in kCommands; each parses its own flags and prints its own
// --help.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "cli/command.h"
#include "cli/fit_command.h"

namespace scalebench::cli {
namespace {

constexpr Command kCommands[] = {
    {"fit", "fit a scalability model (linear, poly:D, usl, amdahl) to a CSV",
     &RunFit},
};

void PrintUsage(std::ostream& out) {
  out << "usage: scalebench <command> [flags]\n\ncommands:\n";
  for (const Command& command : kCommands) {
    out << absl::StrFormat("  %-8s %s\n", command.name, command.summary);
  }
  out << "\nRun 'scalebench <command> --help' for a command's flags.\n";
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(std::cerr);
    return kExitBadInput;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(std::cout);
    return kExitOk;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& command : kCommands) {
    if (name == command.name) return command.run(args, std::cout, std::cerr);
  }
  std::cerr << "scalebench: unknown command '" << name << "'\n\n";
  PrintUsage(std::cerr);
  return kExitBadInput;
}

}  // namespace
}  // namespace scalebench::cli

int main(int argc, char** argv) { return scalebench::cli::Main(argc, argv); }
