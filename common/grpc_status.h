// Conversion between absl::Status and grpc::Status at the RPC edge. The
// codes are the same set (both are google.rpc.Code), so the mapping is
// one to one and the message is carried unchanged.
#ifndef SCALEBENCH_COMMON_GRPC_STATUS_H_
#define SCALEBENCH_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace scalebench {

// For a service method's return value.
grpc::Status ToGrpcStatus(const absl::Status& status);

// For the result of a client call.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_GRPC_STATUS_H_
