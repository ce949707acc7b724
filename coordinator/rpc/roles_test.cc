// Trust by role under mutual TLS, against the real coordinator (both
// services on one port, CoordinatorServer) with a CA and certificates made
// by deploy/pki/pki.sh: a worker's certificate may call only
// WorkerService.Synchronize, as its own id; a user's may call every
// CoordinatorService method but not Synchronize (docs/security.md).
#include <google/protobuf/descriptor.h>
#include <grpcpp/client_context.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/grpc_channel.h"
#include "coordinator/rpc/server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scalebench/v1/coordinator.grpc.pb.h"
#include "scalebench/v1/worker.grpc.pb.h"
#include "tests/support/raw_call.h"
#include "tests/support/synchronize_call.h"
#include "tests/support/test_pki.h"

namespace scalebench::coordinator {
namespace {

using ::testing::HasSubstr;

class RolesTest : public ::testing::Test {
 protected:
  // One PKI for the suite: a CA, the coordinator, worker host-a and user
  // alice.
  static void SetUpTestSuite() {
    *dir_ =
        testing::MakeTempPki(SCALEBENCH_PKI_SH, "scalebench-roles",
                             {"ca pki", "server pki coordinator --ip 127.0.0.1",
                              "worker pki host-a", "client pki alice"});
    ASSERT_FALSE(dir_->empty());
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(*dir_); }

  void SetUp() override {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.db = absl::StrCat(*dir_, "/store-", ++stores_, "/coordinator.db");
    options.security = Material("server-coordinator");
    options.registry.hold = absl::Milliseconds(100);
    absl::StatusOr<std::unique_ptr<CoordinatorServer>> server =
        CoordinatorServer::Start(options, Clock::Real());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  void TearDown() override { server_.reset(); }

  // The pki's CA and `name`'s certificate and key.
  static TransportSecurity Material(const std::string& name) {
    return testing::PkiMaterial(*dir_, name);
  }

  std::shared_ptr<grpc::Channel> ChannelAs(const std::string& name) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        MakeChannel(server_->address(), Material(name));
    EXPECT_TRUE(channel.ok()) << channel.status();
    return channel.value_or(nullptr);
  }

  static grpc::Status ListExperiments(
      const std::shared_ptr<grpc::Channel>& channel,
      v1::ListExperimentsResponse* response) {
    auto stub = v1::CoordinatorService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    return stub->ListExperiments(&context, v1::ListExperimentsRequest(),
                                 response);
  }

  static inline std::string* const dir_ = new std::string;
  static inline int stores_ = 0;
  std::unique_ptr<CoordinatorServer> server_;
};

// Every method of the service, the streams included, present and future:
// an empty request is valid enough to reach each one's check.
TEST_F(RolesTest, AWorkerCertificateMayCallNoCoordinatorServiceMethod) {
  const std::shared_ptr<grpc::Channel> worker = ChannelAs("worker-host-a");
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::CoordinatorService::service_full_name());
  ASSERT_NE(service, nullptr);
  ASSERT_GT(service->method_count(), 0);
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string method = absl::StrCat("/", service->full_name(), "/",
                                            service->method(i)->name());
    const grpc::Status status =
        testing::RawUnaryCall(worker, method, "", absl::Seconds(10));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << method << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr("'workers/host-a'"))
        << method;
  }
  // The coordinator is still up and nothing was made.
  v1::ListExperimentsResponse listed;
  const grpc::Status status =
      ListExperiments(ChannelAs("client-alice"), &listed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(listed.experiments_size(), 0);
}

TEST_F(RolesTest, AUserCertificateMayUseTheServiceButNotSynchronize) {
  const std::shared_ptr<grpc::Channel> alice = ChannelAs("client-alice");
  v1::ListExperimentsResponse listed;
  const grpc::Status listing = ListExperiments(alice, &listed);
  EXPECT_TRUE(listing.ok()) << listing.error_message();
  for (const char* id : {"alice", "host-a"}) {
    const grpc::Status status = testing::SynchronizeIdle(alice, id);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << id;
    EXPECT_THAT(status.error_message(), HasSubstr("clients/alice")) << id;
  }
}

// One ExchangeClock as `worker_id` on `channel`.
grpc::Status ExchangeClockAs(const std::shared_ptr<grpc::Channel>& channel,
                             const std::string& worker_id) {
  v1::ExchangeClockRequest request;
  request.set_worker_id(worker_id);
  v1::ExchangeClockResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  return v1::WorkerService::NewStub(channel)->ExchangeClock(&context, request,
                                                            &response);
}

TEST_F(RolesTest, OnlyAWorkerExchangesClocksAndOnlyAsItsOwnId) {
  const std::shared_ptr<grpc::Channel> worker = ChannelAs("worker-host-a");
  const grpc::Status own = ExchangeClockAs(worker, "host-a");
  EXPECT_TRUE(own.ok()) << own.error_message();
  EXPECT_EQ(ExchangeClockAs(worker, "host-b").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ExchangeClockAs(ChannelAs("client-alice"), "host-a").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(RolesTest, AWorkerCertificateSynchronizesAsItsOwnIdOnly) {
  const std::shared_ptr<grpc::Channel> worker = ChannelAs("worker-host-a");
  const grpc::Status own = testing::SynchronizeIdle(worker, "host-a");
  EXPECT_TRUE(own.ok()) << own.error_message();
  EXPECT_EQ(testing::SynchronizeIdle(worker, "host-b").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace scalebench::coordinator
