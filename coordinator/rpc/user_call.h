// How every CoordinatorService call begins and ends: a caller whose
// certificate is a worker's is refused with PERMISSION_DENIED before the
// body runs (CheckUserIdentity; docs/security.md), and the body's status is
// the call's, mapped 1:1 by ToGrpcStatus. Internal to coordinator/rpc.
// Stateless; thread-safe.
#ifndef SCALEBENCH_COORDINATOR_RPC_USER_CALL_H_
#define SCALEBENCH_COORDINATOR_RPC_USER_CALL_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "common/grpc_channel.h"
#include "common/grpc_status.h"

namespace scalebench::coordinator {

// A unary call: finishes the default reactor with what `body` returns (it
// fills the response), or with PERMISSION_DENIED without running `body`.
inline grpc::ServerUnaryReactor* AnswerUser(
    grpc::CallbackServerContext* context,
    absl::FunctionRef<absl::Status()> body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status caller = CheckUserIdentity(*context->auth_context());
  reactor->Finish(ToGrpcStatus(caller.ok() ? body() : caller));
  return reactor;
}

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_RPC_USER_CALL_H_
