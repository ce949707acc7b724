#include "cli/client.h"

#include <chrono>
#include <iostream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/resource_names.h"
#include "common/command_line.h"
#include "common/exit_codes.h"
#include "common/grpc_channel.h"

namespace scalebench::cli {

const char kClientManual[] =
    R"(The coordinator is --coordinator ADDR, else $SCALEBENCH_COORDINATOR, else
127.0.0.1:7300. On loopback the channel may be plaintext; any other address
needs mutual TLS: --ca, --cert and --key (else $SCALEBENCH_CA,
$SCALEBENCH_CERT, $SCALEBENCH_KEY), a client certificate signed by the
coordinator's CA (deploy/pki/pki.sh, docs/security.md).
)";

void AddClientFlags(CLI::App& command, ClientFlags* flags) {
  command
      .add_option("--coordinator", flags->coordinator,
                  absl::StrCat("the coordinator, host:port (default: "
                               "SCALEBENCH_COORDINATOR, else ",
                               kDefaultCoordinator, ")"))
      ->type_name("ADDR")
      ->envname("SCALEBENCH_COORDINATOR");
  AddTlsFileOptions(command,
                    {/*ca=*/"the CA certificate that signs the coordinator's",
                     /*cert=*/"this client's certificate",
                     /*key=*/"this client's private key"},
                    &flags->ca, &flags->cert, &flags->key);
}

namespace {

absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelFor(
    const ClientFlags& flags) {
  absl::StatusOr<TransportSecurity> security =
      LoadTransportSecurity(flags.ca, flags.cert, flags.key);
  if (!security.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--ca/--cert/--key: ", security.status().message()));
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(flags.coordinator, *security);
  if (!channel.ok()) {
    std::string message =
        absl::StrCat("--coordinator: ", channel.status().message());
    if (security->plaintext()) {
      absl::StrAppend(&message,
                      "; off loopback give --ca, --cert and --key for mutual "
                      "TLS (deploy/pki/pki.sh, docs/security.md)");
    }
    return absl::InvalidArgumentError(message);
  }
  return channel;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CoordinatorClient>> CoordinatorClient::Connect(
    const ClientFlags& flags, absl::string_view command, std::ostream& err) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ChannelFor(flags);
  if (!channel.ok()) {
    err << "scalebench " << command << ": " << channel.status().message()
        << "\n";
    return channel.status();
  }
  return std::unique_ptr<CoordinatorClient>(new CoordinatorClient(
      flags.coordinator, *std::move(channel), std::string(command), err));
}

absl::StatusOr<std::unique_ptr<CoordinatorClient>> CoordinatorClient::Connect(
    const ClientFlags& flags) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ChannelFor(flags);
  if (!channel.ok()) return channel.status();
  return std::unique_ptr<CoordinatorClient>(new CoordinatorClient(
      flags.coordinator, *std::move(channel), "", std::cerr));
}

absl::StatusOr<v1::Experiment> CoordinatorClient::GetExperiment(
    const std::string& name, v1::ExperimentView view) {
  v1::GetExperimentRequest request;
  request.set_name(name);
  request.set_view(view);
  v1::GetExperimentResponse response;
  const absl::Status status =
      Call(&v1::CoordinatorService::Stub::GetExperiment, request, &response);
  if (!status.ok()) return status;
  return std::move(*response.mutable_experiment());
}

int CoordinatorClient::Fail(const absl::Status& status) const {
  return ReportCallFailure(command_, status, address_, err_);
}

void CoordinatorClient::SetDeadline(grpc::ClientContext& context,
                                    absl::Duration timeout) {
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(timeout));
}

bool IsUnreachable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

int ReportCallFailure(absl::string_view command, const absl::Status& status,
                      absl::string_view address, std::ostream& err) {
  err << "scalebench " << command << ": ";
  if (IsUnreachable(status)) {
    err << "cannot reach the coordinator at " << address << ": "
        << status.message()
        << ", start it with scalebench-coordinator or set --coordinator\n";
    return kExitRunFailed;
  }
  err << status.message() << "\n";
  return ExitCodeFor(status);
}

absl::StatusOr<std::string> ExperimentNameArgument(absl::string_view text) {
  const bool is_name = absl::StartsWith(text, "experiments/");
  absl::StatusOr<std::string> id =
      is_name ? api::ParseExperimentName(text)
              : absl::StatusOr<std::string>(std::string(text));
  if (id.ok() && api::ValidateId(*id, "experiment id").ok()) {
    return api::ExperimentName(*id);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("EXPERIMENT '", text,
                   "' is not an experiment: give the name submit printed "
                   "(experiments/exp-000001) or its id (exp-000001)"));
}

absl::StatusOr<std::string> ScheduleNameArgument(absl::string_view text) {
  const std::string name = absl::StartsWith(text, "schedules/")
                               ? std::string(text)
                               : api::ScheduleName(text);
  if (absl::StatusOr<std::string> id = api::ParseScheduleName(name); !id.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("NAME: ", id.status().message()));
  }
  return name;
}

}  // namespace scalebench::cli
