#include "cli/global_flags.h"

#include <algorithm>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace scalebench::cli {
namespace {

// A global flag: its long name and, if it has one, its short name. Each
// takes one value.
struct GlobalFlag {
  absl::string_view name;
  absl::string_view short_name;
};

constexpr GlobalFlag kGlobalFlags[] = {{"--coordinator", ""},
                                       {"--ca", ""},
                                       {"--cert", ""},
                                       {"--key", ""},
                                       {"--output", "-o"}};

// Which global flag `arg` is, and whether its value is in the same word
// ("--output=json", "-ojson"); nullopt for anything else.
struct FlagWord {
  const GlobalFlag* flag;
  bool value_attached;
};
std::optional<FlagWord> ParseFlagWord(absl::string_view arg) {
  for (const GlobalFlag& flag : kGlobalFlags) {
    if (arg == flag.name ||
        (!flag.short_name.empty() && arg == flag.short_name)) {
      return FlagWord{&flag, false};
    }
    if (absl::StartsWith(arg, flag.name) && arg.size() > flag.name.size() &&
        arg[flag.name.size()] == '=') {
      return FlagWord{&flag, true};
    }
    if (!flag.short_name.empty() && absl::StartsWith(arg, flag.short_name) &&
        arg.size() > flag.short_name.size() && arg[1] != '-') {
      return FlagWord{&flag, true};
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> HoistGlobalFlags(
    const std::vector<std::string>& args,
    const std::vector<std::string>& commands) {
  // The leading global flags, each with its words.
  std::vector<std::pair<const GlobalFlag*, std::vector<std::string>>> hoisted;
  size_t i = 0;
  while (i < args.size() && absl::StartsWith(args[i], "-")) {
    const std::optional<FlagWord> word = ParseFlagWord(args[i]);
    if (!word.has_value()) return args;
    if (word->value_attached) {
      hoisted.push_back({word->flag, {args[i]}});
      ++i;
      continue;
    }
    if (i + 1 >= args.size()) return args;
    hoisted.push_back({word->flag, {args[i], args[i + 1]}});
    i += 2;
  }
  if (hoisted.empty() || i >= args.size() ||
      std::find(commands.begin(), commands.end(), args[i]) == commands.end()) {
    return args;
  }
  std::vector<std::string> result(args.begin() + i, args.end());
  const auto end_of_flags = std::find(result.begin(), result.end(), "--");
  // The global flags given after the command: those win.
  std::vector<const GlobalFlag*> after;
  for (auto it = result.begin(); it != end_of_flags; ++it) {
    if (std::optional<FlagWord> word = ParseFlagWord(*it)) {
      after.push_back(word->flag);
    }
  }
  std::vector<std::string> moved;
  for (const auto& [flag, words] : hoisted) {
    if (std::find(after.begin(), after.end(), flag) != after.end()) continue;
    moved.insert(moved.end(), words.begin(), words.end());
  }
  result.insert(end_of_flags, moved.begin(), moved.end());
  return result;
}

}  // namespace scalebench::cli
