// Renders the results of `scalebench fit`: aligned text for people, or
// JSON (the schema is in kFitHelp). Neither ever prints NaN or infinity: a
// quantity that does not exist is "n/a" in text and null in JSON.
// Stateless functions; thread-safe.
#ifndef SCALEBENCH_CLI_FIT_REPORT_H_
#define SCALEBENCH_CLI_FIT_REPORT_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "analysis/cross_host.h"
#include "analysis/ols.h"
#include "analysis/usl.h"
#include "cli/fit_request.h"

namespace scalebench::cli {

// The outcome of fitting one group of rows (all rows without --by).
struct GroupResult {
  // The --by value; empty without --by.
  std::string group;
  // Why the model could not be fitted; empty when it was. Exactly one of
  // the fits below is set when it is empty.
  std::string error;
  std::optional<analysis::PolynomialFit> polynomial;
  std::optional<analysis::UslFit> usl;
  std::optional<analysis::CrossHostResult> cross_host;
};

// Writes the text report of every group to `out`.
void PrintText(const FitRequest& request,
               const std::vector<GroupResult>& groups, std::ostream& out);

// The JSON document: one fit object, or with --by an object keyed by group.
std::string ToJson(const FitRequest& request,
                   const std::vector<GroupResult>& groups);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_FIT_REPORT_H_
