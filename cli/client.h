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

// A channel and stub to one coordinator.
class CoordinatorClient final {
 public:
  // Loads the TLS material and builds the channel; connects lazily, so an
  // unreachable coordinator shows up as UNAVAILABLE on the first call.
  // INVALID_ARGUMENT naming --ca/--cert/--key or --coordinator (and, for
  // plaintext off loopback, saying that mutual TLS is needed).
  static absl::StatusOr<std::unique_ptr<CoordinatorClient>> Connect(
      const ClientFlags& flags);

  CoordinatorClient(const CoordinatorClient&) = delete;
  CoordinatorClient& operator=(const CoordinatorClient&) = delete;

  v1::CoordinatorService::Stub& stub() { return *stub_; }
  const std::string& address() const { return address_; }

  // Sets `context`'s deadline `timeout` from now.
  static void SetDeadline(grpc::ClientContext& context,
                          absl::Duration timeout = kRpcDeadline);

 private:
  CoordinatorClient(std::string address, std::shared_ptr<grpc::Channel> channel)
      : address_(std::move(address)),
        channel_(std::move(channel)),
        stub_(v1::CoordinatorService::NewStub(channel_)) {}

  const std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CoordinatorService::Stub> stub_;
};

// CoordinatorClient::Connect, printing "scalebench COMMAND: " and why to
// `err` when it fails (the caller exits with kExitBadInput).
absl::StatusOr<std::unique_ptr<CoordinatorClient>> ConnectForCommand(
    absl::string_view command, const ClientFlags& flags, std::ostream& err);

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
