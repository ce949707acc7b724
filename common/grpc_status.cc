#include "common/grpc_status.h"

#include <string>

#include "common/echo_text.h"

namespace scalebench {
namespace {

// Both enumerations number the canonical codes 0 (OK) through 16
// (UNAUTHENTICATED) identically; anything else is not a canonical code.
constexpr int kLastCanonicalCode = 16;

int CanonicalOrUnknown(int code) {
  return code >= 0 && code <= kLastCanonicalCode ? code : 2;  // 2 = UNKNOWN
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(
                          CanonicalOrUnknown(static_cast<int>(status.code()))),
                      ClipText(status.message(), kMaxStatusMessageBytes));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(CanonicalOrUnknown(
                          static_cast<int>(status.error_code()))),
                      status.error_message());
}

}  // namespace scalebench
