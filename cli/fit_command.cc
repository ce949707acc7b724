#include "cli/fit_command.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "analysis/model_fit.h"
#include "cli/csv.h"
#include "cli/fit_report.h"
#include "cli/fit_request.h"
#include "common/exit_codes.h"

namespace scalebench::cli {
namespace {

int Fail(const absl::Status& status, std::ostream& err) {
  err << "scalebench fit: " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace

int RunFit(const FitFlags& flags, std::ostream& out, std::ostream& err) {
  absl::StatusOr<FitRequest> request = MakeFitRequest(flags);
  if (!request.ok()) {
    err << "scalebench fit: " << request.status().message()
        << "\nRun 'scalebench fit --help' for the flags.\n";
    return kExitBadInput;
  }
  absl::StatusOr<CsvTable> csv = CsvTable::Read(request->data);
  if (!csv.ok()) return Fail(csv.status(), err);
  analysis::ApplyModelOptions options;
  options.field_name = FlagForField;
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      analysis::ApplyModel(request->spec, csv->ToRowTable(), options);
  if (!fits.ok()) return Fail(fits.status(), err);
  if (fits->empty()) {
    err << "scalebench fit: " << request->data << ": no rows to fit\n";
    return kExitBadInput;
  }
  bool any_error = false;
  for (const v1::ModelFit& fit : *fits) {
    if (fit.error().empty()) continue;
    any_error = true;
    err << "scalebench fit: " << request->data << ": " << fit.error() << "\n";
  }
  // Without --by, a model that cannot be fitted leaves nothing to print.
  if (request->spec.by().empty() && any_error) return kExitBadInput;
  if (request->output == OutputFormat::kJson) {
    out << ToJson(request->spec, *fits);
  } else {
    PrintText(request->data, *fits, out);
  }
  return any_error ? kExitBadInput : kExitOk;
}

}  // namespace scalebench::cli
