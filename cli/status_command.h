// `scalebench status [EXPERIMENT]`: every experiment as a table, or one
// with its trials and attempts (GetExperiment, FULL view), as aligned text
// or the API's messages in JSON. No global state.
#ifndef SCALEBENCH_CLI_STATUS_COMMAND_H_
#define SCALEBENCH_CLI_STATUS_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/client.h"
#include "common/command_line.h"

namespace scalebench::cli {

struct StatusFlags {
  ClientFlags client;
  // Empty: list every experiment.
  std::string experiment;
  OutputFormat output = OutputFormat::kText;
};

// Adds the command's argument and flags, bound to `flags`, with its
// manual as the help's footer.
void AddStatusFlags(CLI::App& status, StatusFlags* flags);

// Returns kExitOk; kExitBadInput for a bad EXPERIMENT or one the
// coordinator does not know; kExitRunFailed when the coordinator cannot be
// reached.
int RunStatus(const StatusFlags& flags, std::ostream& out, std::ostream& err);

// "succeeded", "running", ... for people (and the other commands);
// "unknown" for unspecified.
std::string StateName(v1::ExperimentState state);
std::string StateName(v1::TrialState state);

// What the QUEUED trials among `trials` wait for (Trial.waiting_for), one
// line per distinct reason in the order of its first trial: "trial 3
// waits: REASON", "trials 0, 1, 2 wait: REASON" (at most 10 numbers, then
// "and N more"). Empty when none waits.
std::vector<std::string> WaitingTrialLines(
    const google::protobuf::RepeatedPtrField<v1::Trial>& trials);

// GetExperiment in the FULL view with every trial: the first page's
// experiment (it has the source and the grid), the trials of every page,
// and the last page's fits. The call's error as it came.
absl::StatusOr<v1::GetExperimentResponse> GetAllPages(CoordinatorClient& client,
                                                      const std::string& name);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_STATUS_COMMAND_H_
