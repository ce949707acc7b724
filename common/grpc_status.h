// Conversion between absl::Status and grpc::Status at the RPC edge. The
// codes are the same set (both are google.rpc.Code), so the mapping is
// one to one; the message is carried unchanged up to kMaxStatusMessageBytes.
// Stateless; thread-safe.
#ifndef SCALEBENCH_COMMON_GRPC_STATUS_H_
#define SCALEBENCH_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <cstddef>

#include "absl/status/status.h"

namespace scalebench {

// The longest message a service sends in a status. The message travels in
// a trailer, and a client refuses trailers above its metadata limit (8 KiB
// by default) with RESOURCE_EXHAUSTED instead of the real code.
inline constexpr size_t kMaxStatusMessageBytes = 4096;

// For a service method's return value: the same code, and the message
// clipped to kMaxStatusMessageBytes (common/echo_text.h's ClipText).
grpc::Status ToGrpcStatus(const absl::Status& status);

// For the result of a client call.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_GRPC_STATUS_H_
