#include "cli/app.h"

#include <optional>

#include "cli/fit_command.h"
#include "cli/fit_request.h"
#include "common/command_line.h"
#include "common/exit_codes.h"

namespace scalebench::cli {
namespace {

constexpr char kDescription[] =
    "scalebench: how does an HTTP service scale on a platform?\n"
    "Commands that run experiments come with the coordinator; today: fit.";

}  // namespace

int Main(const std::vector<std::string>& args, std::ostream& out,
         std::ostream& err) {
  CommandLine command_line("scalebench", kDescription);
  CLI::App& app = command_line.app();

  FitFlags fit_flags;
  CLI::App* fit = app.add_subcommand(
      "fit", "fit a scalability model (linear, poly:D, usl, amdahl) to a CSV");
  AddFitFlags(*fit, &fit_flags);

  command_line.AddHelpCommand();
  if (std::optional<int> exit = command_line.Parse(args, out, err)) {
    return *exit;
  }
  if (fit->parsed()) return RunFit(fit_flags, out, err);
  return kExitBadInput;  // Parse insists on a command.
}

}  // namespace scalebench::cli
