// scalebench-loadgen: the load generator as a standalone command.
#include <signal.h>
#include <unistd.h>

#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "loadgen/flags.h"
#include "loadgen/report.h"
#include "loadgen/runner.h"

namespace {

constexpr int kExitRunFailed = 1;
constexpr int kExitUsage = 2;

int Main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto cl = scalebench::loadgen::ParseCommandLine(args);
  if (!cl.ok()) {
    std::cerr << "scalebench-loadgen: " << cl.status().message() << "\n";
    return kExitUsage;
  }
  if (cl->help) {
    std::cout << scalebench::loadgen::Usage();
    return 0;
  }
  // A peer closing a socket must be an error return, not a signal.
  signal(SIGPIPE, SIG_IGN);

  // A progress line on a terminal only; pipes and files get the result.
  std::function<void(const scalebench::loadgen::Progress&)> progress;
  bool progress_shown = false;
  if (isatty(STDERR_FILENO)) {
    progress = [&](const scalebench::loadgen::Progress& p) {
      progress_shown = true;
      std::cerr << absl::StrFormat("\r  %5.0fs %s %12d requests %8d errors ",
                                   absl::ToDoubleSeconds(p.elapsed),
                                   p.warming_up ? "warm-up" : "measure",
                                   p.requests, p.errors);
    };
  }
  auto result = scalebench::loadgen::RunLoad(cl->options, progress);
  if (progress_shown) std::cerr << "\r" << std::string(60, ' ') << "\r";
  if (!result.ok()) {
    std::cerr << "scalebench-loadgen: " << result.status().message() << "\n";
    const bool usage =
        result.status().code() == absl::StatusCode::kInvalidArgument ||
        result.status().code() == absl::StatusCode::kNotFound;
    return usage ? kExitUsage : kExitRunFailed;
  }
  // A run that failed (started late) is still reported, then exits 1.
  const int ok_exit = result->has_failure() ? kExitRunFailed : 0;
  using scalebench::loadgen::OutputFormat;
  switch (cl->output) {
    case OutputFormat::kProto:
      if (!result->SerializeToOstream(&std::cout)) return kExitRunFailed;
      return ok_exit;
    case OutputFormat::kJson:
    case OutputFormat::kText: {
      auto text = cl->output == OutputFormat::kJson
                      ? scalebench::loadgen::FormatJson(*result)
                      : scalebench::loadgen::FormatText(*result);
      if (!text.ok()) {
        std::cerr << "scalebench-loadgen: " << text.status().message() << "\n";
        return kExitRunFailed;
      }
      std::cout << *text;
      return ok_exit;
    }
  }
  return ok_exit;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
