#include "cli/fit_command.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "analysis/model_fit.h"
#include "cli/csv.h"
#include "cli/fit_report.h"
#include "cli/fit_request.h"
#include "cli/results_command.h"
#include "common/exit_codes.h"

namespace scalebench::cli {
namespace {

int Fail(const absl::Status& status, std::ostream& err) {
  err << "scalebench fit: " << status.message() << "\n";
  return ExitCodeFor(status);
}

// Prints the stored fits of an experiment, model by model.
int RunFitExperiment(const FitFlags& flags, std::ostream& out,
                     std::ostream& err) {
  absl::StatusOr<std::string> name = ExperimentNameArgument(flags.experiment);
  if (!name.ok()) return Fail(name.status(), err);
  absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
      CoordinatorClient::Connect(flags.client);
  if (!client.ok()) return Fail(client.status(), err);
  absl::StatusOr<ExportedResults> exported = ExportResults(**client, *name);
  if (!exported.ok()) {
    return ReportCallFailure("fit", exported.status(), (*client)->address(),
                             err);
  }
  if (exported->fits.empty()) {
    err << "scalebench fit: " << *name
        << " has no model fits: its spec has no models, or it has not "
           "ended\n";
    return kExitRunFailed;
  }
  const std::vector<std::vector<v1::ModelFit>> models =
      GroupFitsByModel(exported->fits);
  if (flags.output == OutputFormat::kJson) {
    std::vector<std::string> documents;
    for (const std::vector<v1::ModelFit>& model : models) {
      documents.push_back(ToJson(model.front().spec(), model));
    }
    out << "[" << absl::StrJoin(documents, ",") << "]\n";
    return kExitOk;
  }
  for (size_t i = 0; i < models.size(); ++i) {
    if (i > 0) out << "\n";
    PrintText(*name, models[i], out);
  }
  // Fitted to results from nested hosts: say so under the verdict.
  out << NestedLine(exported->trials);
  return kExitOk;
}

}  // namespace

int RunFit(const FitFlags& flags, std::ostream& out, std::ostream& err) {
  if (absl::Status s = CheckFitSource(flags); !s.ok()) {
    err << "scalebench fit: " << s.message()
        << "\nRun 'scalebench fit --help' for the flags.\n";
    return kExitBadInput;
  }
  if (!flags.experiment.empty()) return RunFitExperiment(flags, out, err);
  absl::StatusOr<FitRequest> request = MakeFitRequest(flags);
  if (!request.ok()) {
    err << "scalebench fit: " << request.status().message()
        << "\nRun 'scalebench fit --help' for the flags.\n";
    return kExitBadInput;
  }
  absl::StatusOr<analysis::RowTable> table = ReadCsvFile(request->data);
  if (!table.ok()) return Fail(table.status(), err);
  analysis::ApplyModelOptions options;
  options.field_name = FlagForField;
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      analysis::ApplyModel(request->spec, *table, options);
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
