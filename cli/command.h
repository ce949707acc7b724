// One `scalebench` command as the command table (commands.cc) lists it: its
// name, its one-line help, how it adds its flags, and its handler. Main
// (app.h) adds every entry as a subcommand and runs the one given.
//
// A command is one file pair, cli/NAME_command.{h,cc}, declaring
//   struct NAMEFlags {...};
//   void AddNAMEFlags(CLI::App& app, NAMEFlags* flags);
//   int RunNAME(const NAMEFlags& flags, std::ostream& out, std::ostream& err);
// (or `int RunNAME(const NAMEFlags& flags, const CommandEnv& env)` when it
// needs the clock or the terminal), plus one MakeCommand line in
// commands.cc. Values only; thread-compatible.
#ifndef SCALEBENCH_CLI_COMMAND_H_
#define SCALEBENCH_CLI_COMMAND_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/command_line.h"

namespace scalebench::cli {

// What a handler is given besides its flags.
struct CommandEnv {
  // Results go to `out`, messages to `err`.
  std::ostream& out;
  std::ostream& err;
  // The process clock (a FakeClock in tests): reconnection pacing, "now".
  Clock& clock;
  // Whether `out` is an interactive terminal (progress redrawn in place).
  bool terminal = false;
};

// Runs a command with the flag values parsed into it; returns its exit
// code (common/exit_codes.h).
using CommandHandler = std::function<int(const CommandEnv&)>;

struct Command {
  std::string name;
  std::string help;
  // Adds the command's flags and arguments to `app`, bound to storage the
  // returned handler owns, and returns that handler.
  std::function<CommandHandler(CLI::App& app)> setup;
};

// A table entry for a command whose handler needs only its streams.
template <typename Flags>
Command MakeCommand(std::string name, std::string help,
                    void (*add_flags)(CLI::App&, Flags*),
                    int (*run)(const Flags&, std::ostream&, std::ostream&)) {
  return {std::move(name), std::move(help), [add_flags, run](CLI::App& app) {
            auto flags = std::make_shared<Flags>();
            add_flags(app, flags.get());
            return CommandHandler([flags, run](const CommandEnv& env) {
              return run(*flags, env.out, env.err);
            });
          }};
}

// A table entry for a command whose handler takes the whole CommandEnv.
template <typename Flags>
Command MakeCommand(std::string name, std::string help,
                    void (*add_flags)(CLI::App&, Flags*),
                    int (*run)(const Flags&, const CommandEnv&)) {
  return {std::move(name), std::move(help), [add_flags, run](CLI::App& app) {
            auto flags = std::make_shared<Flags>();
            add_flags(app, flags.get());
            return CommandHandler([flags, run](const CommandEnv& env) {
              return run(*flags, env);
            });
          }};
}

// Every command of `scalebench`, in the order --help lists them.
std::vector<Command> Commands();

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_COMMAND_H_
