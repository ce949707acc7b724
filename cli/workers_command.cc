#include "cli/workers_command.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/enum_names.h"
#include "cli/output.h"
#include "cli/status_command.h"
#include "common/exit_codes.h"
#include "common/grpc_status.h"
#include "platforms/registry.h"

namespace scalebench::cli {
namespace {

constexpr char kWorkersManual[] =
    R"(Every worker the coordinator knows, connected or lost, by name: its
status (idle, busy, lost), the cores it offers, its platforms, when it last
synchronized, its clock offset to the coordinator and the round trip.

With --output json: ListWorkersResponse with proto field names.

)";

}  // namespace

void AddWorkersFlags(CLI::App& workers, WorkersFlags* flags) {
  AddOutputOption(workers, &flags->output,
                  {OutputFormat::kText, OutputFormat::kJson});
  AddClientFlags(workers, &flags->client);
  workers.footer(absl::StrCat(kWorkersManual, kClientManual,
                              "\nExamples:\n"
                              "  scalebench workers\n"
                              "  scalebench workers --coordinator "
                              "coord.lab:7300 --output json\n"));
}

int RunWorkers(const WorkersFlags& flags, std::ostream& out,
               std::ostream& err) {
  absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
      ConnectForCommand("workers", flags.client, err);
  if (!client.ok()) return kExitBadInput;
  v1::ListWorkersResponse response;
  if (int exit =
          (*client)->CallOrFail(&v1::CoordinatorService::Stub::ListWorkers,
                                v1::ListWorkersRequest(), &response);
      exit != kExitOk) {
    return exit;
  }
  if (flags.output == OutputFormat::kJson) {
    out << ApiJson(response);
    return kExitOk;
  }
  if (response.workers().empty()) {
    out << "no workers; start scalebench-worker --coordinator "
        << (*client)->address() << " on each host\n";
    return kExitOk;
  }
  TextTable table({"NAME", "STATUS", "CPUS", "PLATFORMS", "LAST SEEN",
                   "CLOCK OFFSET", "ROUND TRIP"});
  for (const v1::Worker& w : response.workers()) {
    // Each as its platform names itself on this host (a dom0 says which
    // Xen and how much of it is free).
    std::vector<std::string> platform_names;
    for (int p : w.facts().platforms()) {
      platform_names.push_back(
          platforms::DescribeOn(static_cast<v1::Platform>(p), w.facts()));
    }
    std::string status_name = api::EnumName(w.status());
    if (w.has_attempt()) {
      absl::StrAppend(&status_name, " (", w.attempt().trial(), " attempt ",
                      w.attempt().attempt(), ")");
    }
    table.AddRow(
        {w.name(), status_name, absl::StrCat(w.facts().cpus_size()),
         platform_names.empty() ? "-" : absl::StrJoin(platform_names, ","),
         FormatTimestamp(w.last_seen_time()), FormatDuration(w.clock_offset()),
         FormatDuration(w.round_trip())});
  }
  table.Print(out);
  return kExitOk;
}

}  // namespace scalebench::cli
