// Renders the results of `scalebench fit`: aligned text for people, or
// JSON (the schema is in kFitHelp; the fits are written by
// analysis/model_fit_json.h). Neither ever prints NaN or infinity: a
// quantity that does not exist is "n/a" in text and null in JSON.
// Stateless functions; thread-safe.
#ifndef SCALEBENCH_CLI_FIT_REPORT_H_
#define SCALEBENCH_CLI_FIT_REPORT_H_

#include <ostream>
#include <string>
#include <vector>

#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::cli {

// Writes the text report of every fit to `out`; `data` names the file the
// rows came from.
void PrintText(const std::string& data, const std::vector<v1::ModelFit>& fits,
               std::ostream& out);

// The JSON document: {"spec": <spec>, "fits": [<fit without its spec>,
// ...]}, the same shape with or without `by`.
std::string ToJson(const v1::ModelSpec& spec,
                   const std::vector<v1::ModelFit>& fits);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_FIT_REPORT_H_
