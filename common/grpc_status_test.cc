#include "common/grpc_status.h"

#include <string>

#include "gtest/gtest.h"

namespace scalebench {
namespace {

TEST(GrpcStatusTest, OkMapsToOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatusTest, EveryCanonicalCodeRoundTripsWithItsMessage) {
  for (int code = 1; code <= 16; ++code) {
    const absl::Status original(static_cast<absl::StatusCode>(code),
                                "spec.yaml:3:5: field 'vcpus' must be >= 1");
    const grpc::Status wire = ToGrpcStatus(original);
    EXPECT_EQ(static_cast<int>(wire.error_code()), code);
    EXPECT_EQ(wire.error_message(), original.message());
    EXPECT_EQ(FromGrpcStatus(wire), original) << "code " << code;
  }
}

TEST(GrpcStatusTest, NamedCodesAgree) {
  EXPECT_EQ(ToGrpcStatus(absl::InvalidArgumentError("x")).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ToGrpcStatus(absl::UnavailableError("x")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(
      FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "x")).code(),
      absl::StatusCode::kNotFound);
}

TEST(GrpcStatusTest, LongMessageIsClippedAndKeepsItsCode) {
  // A 10 kB field echoed in an error would exceed the client's metadata
  // limit, which turns INVALID_ARGUMENT into RESOURCE_EXHAUSTED.
  const std::string message = "name: '" + std::string(10000, 'n') + "'";
  const grpc::Status wire = ToGrpcStatus(absl::InvalidArgumentError(message));
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_LE(wire.error_message().size(), kMaxStatusMessageBytes + 32);
  EXPECT_EQ(wire.error_message().substr(0, 7), "name: '");
  EXPECT_NE(wire.error_message().find("(10008 bytes)"), std::string::npos)
      << wire.error_message();
}

TEST(GrpcStatusTest, NonCanonicalCodeBecomesUnknown) {
  const absl::Status odd(static_cast<absl::StatusCode>(42), "odd");
  EXPECT_EQ(ToGrpcStatus(odd).error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(ToGrpcStatus(odd).error_message(), "odd");
}

}  // namespace
}  // namespace scalebench
