#include "cli/app.h"

#include <unistd.h>

#include <iostream>
#include <optional>

#include "cli/command.h"
#include "cli/global_flags.h"
#include "common/command_line.h"
#include "common/exit_codes.h"

namespace scalebench::cli {
namespace {

constexpr char kDescription[] =
    "scalebench: how does an HTTP service scale on a platform?\n"
    "Submit an experiment spec to a coordinator, follow it, read its\n"
    "results, and fit scalability models.\n"
    "The connection flags and --output may come before the command too:\n"
    "  scalebench --coordinator coord.lab:7300 workers";

}  // namespace

int Main(const std::vector<std::string>& args, std::ostream& out,
         std::ostream& err, Clock& clock) {
  CommandLine command_line("scalebench", kDescription);
  CLI::App& app = command_line.app();

  std::vector<std::string> names;
  std::vector<std::pair<CLI::App*, CommandHandler>> handlers;
  for (const Command& command : Commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.help);
    handlers.emplace_back(sub, command.setup(*sub));
    names.push_back(command.name);
  }
  command_line.AddHelpCommand();
  if (std::optional<int> exit =
          command_line.Parse(HoistGlobalFlags(args, names), out, err)) {
    return *exit;
  }
  const CommandEnv env{out, err, clock,
                       &out == &std::cout && isatty(STDOUT_FILENO) == 1};
  for (const auto& [sub, handler] : handlers) {
    if (sub->parsed()) return handler(env);
  }
  return kExitBadInput;  // Parse insists on a command.
}

}  // namespace scalebench::cli
