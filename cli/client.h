// What every remote command of `scalebench` shares: the flags that say
// which coordinator to reach and with which TLS material (--coordinator,
// --ca, --cert, --key, each with an environment default), the channel
// (common/grpc_channel.h: plaintext on loopback only, mutual TLS
// elsewhere), RPC deadlines, one way to report a failed call, and the
// EXPERIMENT argument. A CoordinatorClient is thread-compatible.
#ifndef SCALEBENCH_CLI_CLIENT_H_
#define SCALEBENCH_CLI_CLIENT_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/command_line.h"
#include "common/exit_codes.h"
#include "common/grpc_status.h"
#include "scalebench/v1/coordinator.grpc.pb.h"

namespace scalebench::cli {

// Where the coordinator listens when neither --coordinator nor
// SCALEBENCH_COORDINATOR says otherwise.
inline constexpr char kDefaultCoordinator[] = "127.0.0.1:7300";
// How long a unary call may take before it fails with DEADLINE_EXCEEDED.
inline constexpr absl::Duration kRpcDeadline = absl::Seconds(30);

// The connection flags as given.
struct ClientFlags {
  std::string coordinator = kDefaultCoordinator;
  std::string ca;
  std::string cert;
  std::string key;
};

// Adds --coordinator (env SCALEBENCH_COORDINATOR) and --ca, --cert, --key
// (env SCALEBENCH_CA, SCALEBENCH_CERT, SCALEBENCH_KEY) to `command`.
void AddClientFlags(CLI::App& command, ClientFlags* flags);

// The manual paragraph about those flags, for each command's footer.
extern const char kClientManual[];

// A unary method of the coordinator's stub, such as
// &v1::CoordinatorService::Stub::ListWorkers.
template <typename Request, typename Response>
using UnaryMethod = grpc::Status (v1::CoordinatorService::Stub::*)(
    grpc::ClientContext*, const Request&, Response*);

// A channel and stub to one coordinator, used by one command: the one RPC
// helper of the CLI. Every call has a deadline, its grpc::Status becomes an
// absl::Status, and a failure is printed as the command's with its exit
// code (common/exit_codes.h).
class CoordinatorClient final {
 public:
  // Loads the TLS material and builds the channel; connects lazily, so an
  // unreachable coordinator shows up as UNAVAILABLE on the first call.
  // INVALID_ARGUMENT naming --ca/--cert/--key or --coordinator (and, for
  // plaintext off loopback, saying that mutual TLS is needed). Failures are
  // printed to `err` as `command`'s ("scalebench COMMAND: ...").
  static absl::StatusOr<std::unique_ptr<CoordinatorClient>> Connect(
      const ClientFlags& flags, absl::string_view command, std::ostream& err);
  // The same, printing nothing when it fails; Fail prints to std::cerr.
  static absl::StatusOr<std::unique_ptr<CoordinatorClient>> Connect(
      const ClientFlags& flags);

  CoordinatorClient(const CoordinatorClient&) = delete;
  CoordinatorClient& operator=(const CoordinatorClient&) = delete;

  v1::CoordinatorService::Stub& stub() { return *stub_; }
  const std::string& address() const { return address_; }

  // Calls `method` with a deadline `timeout` from now. Returns the call's
  // status (UNAVAILABLE or DEADLINE_EXCEEDED when the coordinator cannot be
  // reached); prints nothing. Safe to repeat as far as the method is.
  template <typename Request, typename Response>
  absl::Status Call(UnaryMethod<Request, Response> method,
                    const Request& request, Response* response,
                    absl::Duration timeout = kRpcDeadline) {
    grpc::ClientContext context;
    SetDeadline(context, timeout);
    return FromGrpcStatus((stub().*method)(&context, request, response));
  }

  // Call, and on failure Fail: kExitOk when the call succeeded, otherwise
  // the exit code after printing why.
  template <typename Request, typename Response>
  int CallOrFail(UnaryMethod<Request, Response> method, const Request& request,
                 Response* response) {
    const absl::Status status = Call(method, request, response);
    return status.ok() ? kExitOk : Fail(status);
  }

  // GetExperiment of `name` in `view`: the experiment, or the call's
  // status.
  absl::StatusOr<v1::Experiment> GetExperiment(
      const std::string& name,
      v1::ExperimentView view = v1::EXPERIMENT_VIEW_BASIC);

  // Prints why the command's call failed (ReportCallFailure) and returns
  // its exit code.
  int Fail(const absl::Status& status) const;

  // Sets `context`'s deadline `timeout` from now, for a streaming call.
  static void SetDeadline(grpc::ClientContext& context,
                          absl::Duration timeout = kRpcDeadline);

 private:
  CoordinatorClient(std::string address, std::shared_ptr<grpc::Channel> channel,
                    std::string command, std::ostream& err)
      : address_(std::move(address)),
        command_(std::move(command)),
        err_(err),
        channel_(std::move(channel)),
        stub_(v1::CoordinatorService::NewStub(channel_)) {}

  const std::string address_;
  const std::string command_;
  std::ostream& err_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CoordinatorService::Stub> stub_;
};

// CoordinatorClient::Connect under its older name (the caller exits with
// kExitBadInput when it fails).
inline absl::StatusOr<std::unique_ptr<CoordinatorClient>> ConnectForCommand(
    absl::string_view command, const ClientFlags& flags, std::ostream& err) {
  return CoordinatorClient::Connect(flags, command, err);
}

// True for the codes that mean the coordinator could not be reached
// (UNAVAILABLE, DEADLINE_EXCEEDED).
bool IsUnreachable(const absl::Status& status);

// Prints why `command`'s call failed to `err` and returns the exit code:
// for an unreachable coordinator "cannot reach the coordinator at ADDR:
// ..., start it with scalebench-coordinator or set --coordinator" (exit
// 1); otherwise the server's message (exit per common/exit_codes.h: 2 for
// INVALID_ARGUMENT and NOT_FOUND, 1 for FAILED_PRECONDITION, UNIMPLEMENTED
// and the rest).
int ReportCallFailure(absl::string_view command, const absl::Status& status,
                      absl::string_view address, std::ostream& err);

// The experiment name an EXPERIMENT argument means: "experiments/exp-000001"
// as printed by submit, or the bare id "exp-000001". INVALID_ARGUMENT
// naming the argument otherwise.
absl::StatusOr<std::string> ExperimentNameArgument(absl::string_view text);

// The schedule name a NAME argument means: "schedules/nightly" or the bare
// id "nightly". INVALID_ARGUMENT "NAME: ..." otherwise.
absl::StatusOr<std::string> ScheduleNameArgument(absl::string_view text);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_CLIENT_H_
