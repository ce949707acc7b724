#include "tests/support/run_command.h"

#include <stdio.h>
#include <sys/wait.h>

#include <array>

namespace scalebench::testing {

Captured RunCommand(const std::string& command) {
  const std::string bounded = "timeout 60 " + command;
  FILE* pipe = popen(bounded.c_str(), "r");
  Captured c{-1, ""};
  if (pipe == nullptr) return c;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    c.out.append(buf.data(), n);
  }
  const int status = pclose(pipe);
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return c;
}

}  // namespace scalebench::testing
