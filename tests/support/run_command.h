// Runs a shell command and captures its standard output and exit status,
// for tests of command-line programs. Thread-compatible.
#ifndef SCALEBENCH_TESTS_SUPPORT_RUN_COMMAND_H_
#define SCALEBENCH_TESTS_SUPPORT_RUN_COMMAND_H_

#include <string>

namespace scalebench::testing {

struct Captured {
  int exit_code;  // -1 when the command did not exit normally.
  std::string out;
};

// Runs `command` with /bin/sh, under `timeout 60` so that a hang fails the
// test instead of stalling it.
Captured RunCommand(const std::string& command);

}  // namespace scalebench::testing

#endif  // SCALEBENCH_TESTS_SUPPORT_RUN_COMMAND_H_
