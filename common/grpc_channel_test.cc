#include "common/grpc_channel.h"

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <chrono>
#include <memory>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scalebench/v1/worker.grpc.pb.h"

namespace scalebench {
namespace {

TEST(IsLoopbackAddressTest, RecognizesLoopbackForms) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackAddress("127.45.6.7:1"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:8080"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:50051"));
  EXPECT_TRUE(IsLoopbackAddress("unix:/run/scalebench.sock"));
}

TEST(IsLoopbackAddressTest, RejectsOtherAndMalformedAddresses) {
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1:50051"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:50051"));
  EXPECT_FALSE(IsLoopbackAddress("128.0.0.1:50051"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:50051"));
  EXPECT_FALSE(IsLoopbackAddress("coordinator.example:50051"));
  EXPECT_FALSE(IsLoopbackAddress("127.0.0.1"));        // no port
  EXPECT_FALSE(IsLoopbackAddress("127.0.0.1:99999"));  // port out of range
  EXPECT_FALSE(IsLoopbackAddress("::1:50051"));        // v6 needs brackets
}

TEST(MakeChannelTest, RefusesPlaintextOffLoopback) {
  auto channel = MakeChannel("192.0.2.10:50051", TransportSecurity{});
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(channel.status().message().find("192.0.2.10:50051"),
            std::string::npos);
}

TEST(MakeChannelTest, RejectsMalformedTarget) {
  auto channel = MakeChannel("no-port-here", TransportSecurity{});
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MakeChannelTest, RefusesIncompleteTlsMaterial) {
  TransportSecurity tls;
  tls.ca_cert_pem = "-----BEGIN CERTIFICATE-----";
  auto channel = MakeChannel("192.0.2.10:50051", tls);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(channel.status().message().find("private key"), std::string::npos);
  auto creds = MakeServerCredentials("0.0.0.0:0", tls);
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MakeServerCredentialsTest, RefusesPlaintextOnAllInterfaces) {
  auto creds = MakeServerCredentials("0.0.0.0:50051", TransportSecurity{});
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().code(), absl::StatusCode::kFailedPrecondition);
}

// A real server and a real channel, both built by the functions under test,
// carry a call over loopback. The service implements nothing, so the call
// reaching it is proven by the UNIMPLEMENTED answer.
TEST(MakeChannelTest, CarriesACallToALoopbackServer) {
  auto creds = MakeServerCredentials("127.0.0.1:0", TransportSecurity{});
  ASSERT_TRUE(creds.ok()) << creds.status();
  v1::WorkerService::CallbackService service;
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", *creds, &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  ASSERT_GT(port, 0);

  auto channel =
      MakeChannel(absl::StrCat("127.0.0.1:", port), TransportSecurity{});
  ASSERT_TRUE(channel.ok()) << channel.status();
  auto stub = v1::WorkerService::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::SynchronizeRequest request;
  v1::SynchronizeResponse response;
  const grpc::Status status = stub->Synchronize(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED)
      << status.error_message();
  server->Shutdown();
}

}  // namespace
}  // namespace scalebench
