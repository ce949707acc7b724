// The report's Models section: each stored model fit as HTML tables (its
// parameters with their 95% intervals, its statistics, a cross-host test's
// predictions) and its verdict and saturation as sentences, so nothing is
// cut off or scrolls as preformatted text would. Stateless; thread-safe.
#ifndef SCALEBENCH_REPORT_REPORT_MODELS_H_
#define SCALEBENCH_REPORT_REPORT_MODELS_H_

#include <string>
#include <vector>

#include "report/html_page.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::report {

// Appends one <h3> and its tables per fit of run `run` ("exp-000001") to
// `page`; a fit that failed gets its error as a note instead of tables.
// Tables have class "model-parameters", "model-statistics" and
// "model-predictions"; numbers are ReadableNumber's.
void ModelTables(const std::string& run, const std::vector<v1::ModelFit>& fits,
                 Page& page);

}  // namespace scalebench::report

#endif  // SCALEBENCH_REPORT_REPORT_MODELS_H_
