// scalebench-loadgen: the load generator as a standalone command.
#include <signal.h>
#include <unistd.h>

#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "common/command_line.h"
#include "common/exit_codes.h"
#include "loadgen/flags.h"
#include "loadgen/report.h"
#include "loadgen/runner.h"

namespace scalebench::loadgen {
namespace {

constexpr char kProgram[] = "scalebench-loadgen";

int Main(const std::vector<std::string>& args) {
  CommandLine command_line(kProgram, kLoadgenDescription);
  LoadgenFlags flags;
  AddLoadgenFlags(command_line.app(), &flags);
  if (std::optional<int> exit =
          command_line.Parse(args, std::cout, std::cerr)) {
    return *exit;
  }
  if (absl::Status s = FinishFlags(&flags); !s.ok()) {
    std::cerr << kProgram << ": " << s.message() << "\nRun '" << kProgram
              << " --help' for usage.\n";
    return kExitBadInput;
  }
  // A peer closing a socket must be an error return, not a signal.
  signal(SIGPIPE, SIG_IGN);

  // A progress line on a terminal only; pipes and files get the result.
  std::function<void(const Progress&)> progress;
  bool progress_shown = false;
  if (isatty(STDERR_FILENO)) {
    progress = [&](const Progress& p) {
      progress_shown = true;
      std::cerr << absl::StrFormat("\r  %5.0fs %s %12d requests %8d errors ",
                                   absl::ToDoubleSeconds(p.elapsed),
                                   p.warming_up ? "warm-up" : "measure",
                                   p.requests, p.errors);
    };
  }
  absl::StatusOr<v1::LoadgenResult> result = RunLoad(flags.options, progress);
  if (progress_shown) std::cerr << "\r" << std::string(60, ' ') << "\r";
  if (!result.ok()) {
    std::cerr << kProgram << ": " << result.status().message() << "\n";
    return ExitCodeFor(result.status());
  }
  // A run that failed (started late) is still reported, then exits 1.
  const int run_exit = result->has_failure() ? kExitRunFailed : kExitOk;
  if (flags.output == OutputFormat::kProto) {
    return result->SerializeToOstream(&std::cout) ? run_exit : kExitRunFailed;
  }
  absl::StatusOr<std::string> text = flags.output == OutputFormat::kJson
                                         ? FormatJson(*result)
                                         : FormatText(*result);
  if (!text.ok()) {
    std::cerr << kProgram << ": " << text.status().message() << "\n";
    return kExitRunFailed;
  }
  std::cout << *text;
  return run_exit;
}

}  // namespace
}  // namespace scalebench::loadgen

int main(int argc, char** argv) {
  return scalebench::loadgen::Main(
      std::vector<std::string>(argv + 1, argv + argc));
}
