#include "common/command_line.h"

#include <algorithm>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/exit_codes.h"
#include "common/flag_values.h"

#ifndef SCALEBENCH_VERSION
#error "SCALEBENCH_VERSION must be defined by the build"
#endif

namespace scalebench {
namespace {

const char* FormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kText:
      return "text";
    case OutputFormat::kJson:
      return "json";
    case OutputFormat::kCsv:
      return "csv";
    case OutputFormat::kProto:
      return "proto";
  }
  return "";
}

// An option that takes one text value and hands it to `parse`, which stores
// the result or returns why the text is wrong. CLI11 learns of a bad value
// by exception; Parse catches it.
template <typename Parse>
CLI::Option* AddParsedOption(CLI::App& app, const std::string& names,
                             const std::string& help,
                             const std::string& type_name, Parse parse) {
  // The flag as messages name it: the last of its names ("--output").
  const std::string flag = names.substr(names.rfind(',') + 1);
  CLI::Option* option = app.add_option_function<std::string>(
      names,
      [parse, flag](const std::string& text) {
        const absl::Status status = parse(text);
        if (!status.ok()) {
          throw CLI::ValidationError(flag, std::string(status.message()));
        }
      },
      help);
  option->type_name(type_name);
  return option;
}

// A parse callback for AddParsedOption: runs `parser` on the text and
// stores its value in `*value`.
template <typename T, typename Value>
auto StoreParsed(absl::StatusOr<T> (*parser)(absl::string_view), Value* value) {
  return [parser, value](const std::string& text) {
    absl::StatusOr<T> parsed = parser(text);
    if (!parsed.ok()) return parsed.status();
    *value = *std::move(parsed);
    return absl::OkStatus();
  };
}

}  // namespace

const char* Version() { return SCALEBENCH_VERSION; }

CommandLine::CommandLine(std::string program, std::string description)
    : program_(std::move(program)),
      app_(absl::StrCat(description, "\n"), program_) {
  app_.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::Throw);
  app_.set_version_flag("--version", absl::StrCat(program_, " ", Version()),
                        "print the version and exit");
  app_.set_help_flag("-h,--help", "print this help and exit");
  app_.get_formatter()->label("SUBCOMMAND", "COMMAND");
  app_.get_formatter()->label("SUBCOMMANDS", "COMMANDS");
  app_.get_formatter()->label("Subcommands", "Commands");
  app_.get_formatter()->column_width(24);
  // A flag's name and the problem, on one line; Parse adds where to look.
  app_.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string(e.what());
  });
}

void CommandLine::AddHelpCommand() {
  // Listed in --help like any command; Parse answers it before CLI11 sees
  // it, because CLI11 would read `help fit` as two commands.
  help_command_ = app_.add_subcommand(
      "help", "print the help of the program, or of one command: help COMMAND");
  for (CLI::App* sub : app_.get_subcommands({})) sub->group("Commands");
}

std::optional<int> CommandLine::Parse(const std::vector<std::string>& args,
                                      std::ostream& out, std::ostream& err) {
  std::vector<std::string> names;  // The commands, if there are any.
  for (const CLI::App* sub : app_.get_subcommands({})) {
    if (sub != help_command_) names.push_back(sub->get_name());
  }
  if (command_required_ && !names.empty() && !args.empty() &&
      args[0][0] != '-' && args[0] != "help" &&
      std::find(names.begin(), names.end(), args[0]) == names.end()) {
    err << program_ << ": no command '" << args[0] << "'; the commands are "
        << absl::StrJoin(names, ", ") << "\nRun '" << program_
        << " --help' for usage.\n";
    return kExitBadInput;
  }
  if (help_command_ != nullptr && !args.empty() && args[0] == "help") {
    if (args.size() == 1) {
      out << app_.help();
      return kExitOk;
    }
    const CLI::App* topic = nullptr;
    for (const CLI::App* sub : app_.get_subcommands({})) {
      if (sub != help_command_ && sub->get_name() == args[1]) topic = sub;
    }
    if (args.size() == 2 && topic != nullptr) {
      out << topic->help(program_);
      return kExitOk;
    }
    err << program_ << ": help: "
        << (args.size() == 2 ? absl::StrCat("no command '", args[1], "'")
                             : std::string("one command name at most"))
        << "; the commands are " << absl::StrJoin(names, ", ") << "\n";
    return kExitBadInput;
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app_.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    // The help of the deepest subcommand given.
    const CLI::App* target = &app_;
    std::string path;  // "scalebench fit" for the usage line.
    while (!target->get_subcommands().empty()) {
      path =
          path.empty() ? program_ : absl::StrCat(path, " ", target->get_name());
      target = target->get_subcommands().front();
    }
    out << target->help(path);
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app_.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // CLI11 says "--x: At Most 1 required but received 2" for a repeated
    // single-valued flag; say it plainly.
    std::string message = e.what();
    // A missing required value is reported before unknown arguments; an
    // unknown flag is the likelier mistake (a misspelled name), so it wins.
    if (const std::vector<std::string> unknown = app_.remaining(true);
        e.get_name() == "RequiredError" && !unknown.empty()) {
      message = absl::StrCat("unknown argument ", unknown.front());
    }
    const size_t repeated = message.find(": At Most 1 required but received");
    if (repeated != std::string::npos) {
      message = absl::StrCat(message.substr(0, repeated),
                             ": given more than once; it takes one value");
    }
    // Point at the help of the command that was being parsed.
    std::string command = program_;
    for (const CLI::App* sub = &app_; !sub->get_subcommands().empty();) {
      sub = sub->get_subcommands().front();
      absl::StrAppend(&command, " ", sub->get_name());
    }
    err << program_ << ": " << message << "\nRun '" << command
        << " --help' for usage.\n";
    return kExitBadInput;
  }
  if (command_required_ && !names.empty() && app_.get_subcommands().empty()) {
    err << app_.help() << "\n" << program_ << ": give a command\n";
    return kExitBadInput;
  }
  return std::nullopt;
}

CLI::Option* AddDurationOption(CLI::App& app, const std::string& names,
                               absl::Duration* value, const std::string& help) {
  return AddParsedOption(app, names, help, "DURATION",
                         StoreParsed(&ParseDurationText, value));
}

CLI::Option* AddInstantOption(CLI::App& app, const std::string& names,
                              std::optional<absl::Time>* value,
                              const std::string& help) {
  return AddParsedOption(app, names, help, "TIME",
                         StoreParsed(&ParseInstantText, value));
}

CLI::Option* AddCpuListOption(CLI::App& app, const std::string& names,
                              std::vector<int>* value,
                              const std::string& help) {
  return AddParsedOption(app, names, help, "CORES",
                         StoreParsed(&ParseCpuListText, value));
}

CLI::Option* AddOutputOption(CLI::App& app, OutputFormat* value,
                             std::initializer_list<OutputFormat> allowed) {
  std::vector<std::string> names;
  for (OutputFormat f : allowed) names.push_back(FormatName(f));
  const std::vector<OutputFormat> formats(allowed);
  return AddParsedOption(
      app, "-o,--output",
      absl::StrCat("output format: ", absl::StrJoin(names, ", "), " (default ",
                   FormatName(*value), ")"),
      "FORMAT", [value, formats, names](const std::string& text) {
        // "table" is another spelling of text, for commands whose text
        // is a table (scalebench results --output table).
        const std::string name =
            text == "table" ? FormatName(OutputFormat::kText) : text;
        for (OutputFormat f : formats) {
          if (name == FormatName(f)) {
            *value = f;
            return absl::OkStatus();
          }
        }
        return absl::InvalidArgumentError(absl::StrCat(
            "'", text, "' is not one of ", absl::StrJoin(names, ", ")));
      });
}

void AddTlsFileOptions(CLI::App& app, const TlsFileHelp& help, std::string* ca,
                       std::string* cert, std::string* key) {
  const struct {
    const char* flag;
    const char* env;
    const std::string& what;
    std::string* value;
  } files[] = {{"--ca", "SCALEBENCH_CA", help.ca, ca},
               {"--cert", "SCALEBENCH_CERT", help.cert, cert},
               {"--key", "SCALEBENCH_KEY", help.key, key}};
  for (const auto& file : files) {
    app.add_option(file.flag, *file.value,
                   absl::StrCat("mutual TLS: ", file.what,
                                " (default: ", file.env, ")"))
        ->type_name("FILE")
        ->envname(file.env);
  }
}

}  // namespace scalebench
