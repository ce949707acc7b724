// The global flags of `scalebench`: --coordinator, --ca, --cert, --key and
// -o/--output may come before the command as well as after it, as with
// git, docker and kubectl (`scalebench --coordinator ADDR workers`). Each
// command still declares them as its own (so its --help lists them); this
// moves those given before the command to after it. Stateless; thread-safe.
#ifndef SCALEBENCH_CLI_GLOBAL_FLAGS_H_
#define SCALEBENCH_CLI_GLOBAL_FLAGS_H_

#include <string>
#include <vector>

namespace scalebench::cli {

// `args` (without the program name) with the global flags that precede the
// first of `commands` moved to the end of the command's arguments (before a
// "--", if there is one). A global flag given both before and after the
// command takes the value after it: the last one given wins, as in git.
// Given twice on the same side it is still "given more than once". When
// no command follows the leading flags, or anything but a global flag
// precedes it (--help, a typo), `args` comes back unchanged for the parser
// to answer.
std::vector<std::string> HoistGlobalFlags(
    const std::vector<std::string>& args,
    const std::vector<std::string>& commands);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_GLOBAL_FLAGS_H_
