// One unary gRPC call with a request given as raw bytes, whatever the
// method: for tests that send what no generated stub would (byte-level
// fuzzing, a role calling a method it may not). Thread-safe.
#ifndef SCALEBENCH_TESTS_SUPPORT_RAW_CALL_H_
#define SCALEBENCH_TESTS_SUPPORT_RAW_CALL_H_

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include <memory>
#include <string>

#include "absl/time/time.h"

namespace scalebench::testing {

// Calls `method` ("/package.Service/Method") over `channel` with
// `request` as the serialized request, one message and a half-close, as a
// unary call does (a server-streaming method sees the same bytes; its
// first message, if any, is the response), waiting at most `timeout`.
// Returns the call's status; the response's bytes go to `response` when
// it is not null.
grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& method, const std::string& request,
                          absl::Duration timeout,
                          std::string* response = nullptr);

}  // namespace scalebench::testing

#endif  // SCALEBENCH_TESTS_SUPPORT_RAW_CALL_H_
