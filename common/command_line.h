// One command-line dialect for every scalebench binary, on CLI11: -h and
// --help on every command, --version on every binary, `help COMMAND` where
// there are subcommands, an error for an unknown flag or a repeated
// single-valued one, --output spelled the same everywhere, durations, cores
// and instants parsed by common/flag_values.h, and the exit codes of
// common/exit_codes.h. CLI11 reports problems by exception; none leaves this
// layer: Parse turns them into a message and an exit code.
//
// Usage:
//   CommandLine cl("scalebench-loadgen", "An HTTP/1.1 load generator.");
//   AddDurationOption(cl.app(), "-d,--duration", &options.duration, "...");
//   if (std::optional<int> exit = cl.Parse(args, std::cout, std::cerr)) {
//     return *exit;  // --help, --version, or a usage error (already printed)
//   }
// Thread-compatible; one per process.
#ifndef SCALEBENCH_COMMON_COMMAND_LINE_H_
#define SCALEBENCH_COMMON_COMMAND_LINE_H_

#include <CLI/CLI.hpp>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace scalebench {

// The version every binary reports with --version.
const char* Version();

// What --output selects. Each binary accepts the subset it can write.
enum class OutputFormat { kText, kJson, kCsv, kProto };

class CommandLine final {
 public:
  // `program` is the binary's name as users type it; `description` opens
  // its --help.
  CommandLine(std::string program, std::string description);

  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  // The CLI11 application, to add options and subcommands to. Options added
  // to it or to its subcommands take one value and reject repetition unless
  // declared otherwise (a vector, or multi_option_policy TakeAll).
  CLI::App& app() { return app_; }

  // Adds `help [COMMAND]`, which prints the whole program's or one
  // subcommand's --help. Call after adding the subcommands.
  void AddHelpCommand();

  // Whether a program with subcommands must be given one (the default);
  // false for a program whose top level runs by itself
  // (`scalebench-worker --coordinator ...` beside `scalebench-worker
  // run-trial SPEC`).
  void set_command_required(bool required) { command_required_ = required; }

  // Parses `args` (the arguments after the program name). Returns nullopt
  // when the program should go on with the values bound to its options
  // (and, if it has subcommands, one of them was given).
  // Otherwise it has printed --help or --version text to `out` (returns
  // kExitOk) or, for a usage error, one line naming the flag and what is
  // wrong plus a pointer to --help to `err` (returns kExitBadInput).
  std::optional<int> Parse(const std::vector<std::string>& args,
                           std::ostream& out, std::ostream& err);

 private:
  std::string program_;
  CLI::App app_;
  CLI::App* help_command_ = nullptr;
  bool command_required_ = true;
};

// Options with scalebench's value syntax; a bad value is a usage error that
// names the flag. Each returns the option for further settings.
// A duration (30s, 500ms, 2m, or bare seconds).
CLI::Option* AddDurationOption(CLI::App& app, const std::string& names,
                               absl::Duration* value, const std::string& help);
// An instant (RFC 3339 or Unix seconds); sets `*value`.
CLI::Option* AddInstantOption(CLI::App& app, const std::string& names,
                              std::optional<absl::Time>* value,
                              const std::string& help);
// A core list (0,2-3).
CLI::Option* AddCpuListOption(CLI::App& app, const std::string& names,
                              std::vector<int>* value, const std::string& help);
// -o/--output FORMAT, one of `allowed` (spelled text, json, csv, proto;
// "table" is accepted for text); `*value` keeps its initial value when the
// flag is absent.
CLI::Option* AddOutputOption(CLI::App& app, OutputFormat* value,
                             std::initializer_list<OutputFormat> allowed);

// What a binary's mutual TLS files are, for --help: the CA certificate
// (`ca`: "the CA certificate that signs the coordinator's"), this binary's
// certificate and its private key.
struct TlsFileHelp {
  std::string ca;
  std::string cert;
  std::string key;
};
// --ca, --cert and --key, each a FILE defaulting to SCALEBENCH_CA,
// SCALEBENCH_CERT and SCALEBENCH_KEY: the mutual TLS options every binary
// that dials or serves gRPC takes.
void AddTlsFileOptions(CLI::App& app, const TlsFileHelp& help, std::string* ca,
                       std::string* cert, std::string* key);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_COMMAND_LINE_H_
