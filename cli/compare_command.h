// `scalebench compare BASELINE CONTENDER`: whether a change between two
// experiments' results is real and how big, per configuration
// (results/compare_runs.h), as a table or JSON; exits 1 when any
// configuration regressed so that a script or CI job can gate on it. No
// global state.
#ifndef SCALEBENCH_CLI_COMPARE_COMMAND_H_
#define SCALEBENCH_CLI_COMPARE_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/client.h"
#include "common/command_line.h"
#include "results/compare_runs.h"

namespace scalebench::cli {

struct CompareFlags {
  ClientFlags client;
  std::string baseline;
  std::string contender;
  // As typed: "3%" or "0.03".
  std::string threshold = "3%";
  std::string metric = "requests_per_s";
  double alpha = 0.05;
  OutputFormat output = OutputFormat::kText;
};

// Adds the command's arguments and flags, with its manual as the footer.
void AddCompareFlags(CLI::App& compare, CompareFlags* flags);

// Returns kExitOk when no configuration regressed; kExitRunFailed when one
// did, or when the coordinator cannot be reached; kExitBadInput for a bad
// argument or flag, an unknown experiment, no configuration in common, or
// a metric that is not positive in every trial.
int RunCompare(const CompareFlags& flags, std::ostream& out, std::ostream& err);

// A relative threshold as typed: "3%" or "0.03" (both 0.03), "0" or "0%".
// INVALID_ARGUMENT naming --threshold unless it is a number in [0, 1), or
// a percentage in [0%, 100%).
absl::StatusOr<double> ParseThreshold(absl::string_view text);

// `report` as the text table: a heading line, a table of the compared
// configurations, the configurations only one side measured, warnings
// (`notes`, then where the sample sizes cannot reach significance), and a
// summary line.
void PrintCompareText(const std::string& baseline, const std::string& contender,
                      const results::RunsComparison& report, std::ostream& out,
                      const std::vector<std::string>& notes = {});

// `report` as one JSON document (snake_case fields; docs/cli.md), `notes`
// first among its warnings.
std::string CompareJson(const std::string& baseline,
                        const std::string& contender,
                        const results::RunsComparison& report,
                        const std::vector<std::string>& notes = {});

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_COMPARE_COMMAND_H_
