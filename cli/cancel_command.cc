#include "cli/cancel_command.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "cli/output.h"
#include "cli/status_command.h"
#include "common/exit_codes.h"
#include "common/grpc_status.h"

namespace scalebench::cli {
namespace {

constexpr char kCancelManual[] =
    R"(Stops scheduling the experiment's trials and marks it cancelled;
finished trials keep their results. Cancelling an ended experiment changes
nothing. Prints the experiment's state afterwards.

With --output json: the experiment (Experiment) with proto field names.

Exit status: 0 done; 2 EXPERIMENT is wrong or unknown; 1 the coordinator
cannot be reached or cannot cancel it now (the message says why).

)";

}  // namespace

void AddCancelFlags(CLI::App& cancel, CancelFlags* flags) {
  cancel.add_option("EXPERIMENT", flags->experiment, "the experiment")
      ->type_name("EXPERIMENT")
      ->required();
  AddOutputOption(cancel, &flags->output,
                  {OutputFormat::kText, OutputFormat::kJson});
  AddClientFlags(cancel, &flags->client);
  cancel.footer(absl::StrCat(kCancelManual, kClientManual,
                             "\nExamples:\n"
                             "  scalebench cancel exp-000001\n"));
}

int RunCancel(const CancelFlags& flags, std::ostream& out, std::ostream& err) {
  absl::StatusOr<std::string> name = ExperimentNameArgument(flags.experiment);
  if (!name.ok()) {
    err << "scalebench cancel: " << name.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
      ConnectForCommand("cancel", flags.client, err);
  if (!client.ok()) return kExitBadInput;
  v1::CancelExperimentRequest request;
  request.set_name(*name);
  v1::CancelExperimentResponse response;
  if (int exit = (*client)->CallOrFail(
          &v1::CoordinatorService::Stub::CancelExperiment, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (flags.output == OutputFormat::kJson) {
    out << ApiJson(response.experiment());
    return kExitOk;
  }
  const v1::Experiment& e = response.experiment();
  out << e.name() << ": " << StateName(e.state());
  if (!e.status_message().empty()) out << ": " << e.status_message();
  out << "\n";
  return kExitOk;
}

}  // namespace scalebench::cli
