// `scalebench results EXPERIMENT`: an experiment's stored results from the
// coordinator (ExportResults) as a CSV of trial rows in the shared column
// vocabulary (results/trial_rows.h, so `scalebench fit --data` reads it),
// as JSON, or as a per-configuration table with the model fits. Also the
// export itself, which `scalebench fit --experiment` uses. No global state.
#ifndef SCALEBENCH_CLI_RESULTS_COMMAND_H_
#define SCALEBENCH_CLI_RESULTS_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/client.h"
#include "common/command_line.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::cli {

struct ResultsFlags {
  ClientFlags client;
  std::string experiment;
  OutputFormat output = OutputFormat::kText;
  // The table shows every factor as a column (cli/results_table.h).
  bool wide = false;
};

// Adds the command's argument and flags, with its manual as the footer.
void AddResultsFlags(CLI::App& results, ResultsFlags* flags);

// Returns kExitOk; kExitBadInput for a bad or unknown EXPERIMENT;
// kExitRunFailed when the coordinator cannot be reached or a stored result
// cannot be read.
int RunResults(const ResultsFlags& flags, std::ostream& out, std::ostream& err);

// What ExportResults streams for one experiment.
struct ExportedResults {
  // Merged trial results in trial order, each trial once.
  std::vector<v1::TrialResult> trials;
  // The model fits, in the order the coordinator sent them.
  std::vector<v1::ModelFit> fits;
};

// Reads the whole ExportResults stream of `name` (an experiment name),
// with each trial's raw worker results when `include_raw`. Errors as the
// coordinator gives them.
absl::StatusOr<ExportedResults> ExportResults(CoordinatorClient& client,
                                              const std::string& name,
                                              bool include_raw = false);

// One line on the load generators' start skew (each trial's largest,
// |actual window start - T0|): its p50, p99 (nearest rank) and maximum in
// microseconds over `trials`; empty without trials.
// When the trials carry the uncertainty of their skews, the line adds the
// largest.
std::string SkewLine(const std::vector<v1::TrialResult>& trials);

// One line on how far apart the load generators' windows opened, over the
// trials with several: the estimated spread's p50, p99 and maximum, its
// largest uncertainty, and the spread the balancer's host observed in one
// clock where it saw every start; empty when no trial had several.
std::string SpreadLine(const std::vector<v1::TrialResult>& trials);

// One line marking results from nested hosts (TrialResult.nested), e.g.
// "nested: all 18 trials ran on a host that is itself a virtual machine:
// the throughput shows that the code path works, not how fast the
// platform is"; with only some nested, how many and which (up to 5 trial
// ids). Empty when none is nested.
std::string NestedLine(const std::vector<v1::TrialResult>& trials);

// One line when some trial had failed requests within its spec's bound
// (TrialResult.error_rate > 0), e.g. "errors: 2 of 4 trials had failed
// requests, at most 0.5% (exp-000001/3); requests/s counts 2xx responses
// only". Empty when none had.
std::string ErrorsLine(const std::vector<v1::TrialResult>& trials);

// One line when some trial ran two or more of its processes on one core of
// a host (results/shared_cores.h), naming how many trials and one example,
// e.g. "overcommitted: all 24 trials ran several processes on one core
// (exp-000001/5 on local: core 0 for loadgen, target/0, target/2): ...".
// Empty when no core was shared.
std::string SharedCoresLine(const std::vector<v1::TrialResult>& trials);

// `fits` split by model: each run of consecutive fits with the same spec
// (one per group of its `by`) is one model.
std::vector<std::vector<v1::ModelFit>> GroupFitsByModel(
    const std::vector<v1::ModelFit>& fits);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_RESULTS_COMMAND_H_
