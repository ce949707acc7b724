// `scalebench fit`: fits a scalability model (linear, poly:D, usl, amdahl)
// to the rows of a CSV file, per group with --by, or tests a model across
// hosts with --train/--test, and prints the result for people or as JSON.
// A thin front end: the flags become a v1::ModelSpec (fit_request.h), the
// file a RowTable (csv.h), and analysis::ApplyModel does the work.
// kFitManual is its manual. No global state.
#ifndef SCALEBENCH_CLI_FIT_COMMAND_H_
#define SCALEBENCH_CLI_FIT_COMMAND_H_

#include <ostream>

#include "cli/fit_request.h"

namespace scalebench::cli {

// Runs the command with its parsed flags. Results go to `out`, messages to
// `err`. Returns kExitOk, kExitBadInput when the flags or the data are
// wrong or cannot identify the model (with --by, after printing the groups
// that could be fitted), or kExitRunFailed.
int RunFit(const FitFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_FIT_COMMAND_H_
