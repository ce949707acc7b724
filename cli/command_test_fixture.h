// Test-only: one `scalebench` command run through cli::Main as a user types
// it, with its output and messages kept, input files in the test's temp
// dir, and time from a FakeClock that stands still. For commands that
// need no coordinator; remote commands use remote_fixture.h.
#ifndef SCALEBENCH_CLI_COMMAND_TEST_FIXTURE_H_
#define SCALEBENCH_CLI_COMMAND_TEST_FIXTURE_H_

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli/app.h"
#include "cli/csv.h"
#include "common/fake_clock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {

// Paths that are not CSV files and what a command reading --data says of
// each: /dev/zero, a directory, and `big`, a file one byte over
// kMaxCsvBytes (cli/csv.h).
inline std::vector<std::pair<std::string, std::string>> NotACsvFileCases(
    const std::string& big) {
  const std::string dir = ::testing::TempDir();
  return {{"/dev/zero", "/dev/zero: not a regular file (a character device)"},
          {dir, dir + ": not a regular file (a directory)"},
          {big, big + ": " + std::to_string(kMaxCsvBytes + 1) +
                    " bytes, larger than 32 MiB"}};
}

class CommandTest : public ::testing::Test {
 protected:
  // Runs `command` ("changepoints").
  explicit CommandTest(std::string command) : command_(std::move(command)) {}

  // Writes `contents` to NAME in the temp dir; returns its path.
  std::string WriteFile(const std::string& name, const std::string& contents) {
    const std::string path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << contents;
    return path;
  }

  // Runs `scalebench COMMAND ARGS...` with fresh out_ and err_.
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), command_);
    return Main(args, out_, err_, clock_);
  }

  std::ostringstream out_;
  std::ostringstream err_;
  FakeClock clock_;

 private:
  const std::string command_;
};

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_COMMAND_TEST_FIXTURE_H_
