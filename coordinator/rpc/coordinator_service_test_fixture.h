// Test-only: the fixture and helpers coordinator_service_test.cc and
// coordinator_service_export_test.cc share. Not thread-safe.
#ifndef SCALEBENCH_COORDINATOR_RPC_COORDINATOR_SERVICE_TEST_FIXTURE_H_
#define SCALEBENCH_COORDINATOR_RPC_COORDINATOR_SERVICE_TEST_FIXTURE_H_

#include <grpcpp/client_context.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/resource_names.h"
#include "common/grpc_channel.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"
#include "coordinator/rpc/coordinator_service.h"
#include "coordinator/store/stores_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/limits.h"
#include "spec/spec_yaml.h"
#include "worker/agent/sync_client.h"
#include "worker/spool.h"

namespace scalebench::coordinator::coordinator_service_test {

inline constexpr char kSpecYaml[] = R"yaml(
name: coordinator-service-test
repetitions: 2
seed: 7
loadgen:
  mode: closed
  connections: 10
  duration: 1s
sweep:
  instances: [1, 2]
)yaml";

// Always idle: the worker side of a synchronization with nothing assigned.
class IdleExecutor final : public worker::AssignmentExecutor {
 public:
  void Apply(const v1::DesiredState&, const worker::ClockSync&) override {}
  v1::WorkerState Current() override {
    v1::WorkerState state;
    state.mutable_idle();
    return state;
  }
};

class CoordinatorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "/csvc-XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    absl::StatusOr<std::unique_ptr<Stores>> store =
        Stores::Open(dir_ + "/coordinator.db", Clock::Real());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    WorkerRegistryOptions options;
    options.hold = absl::Milliseconds(100);
    registry_ =
        std::make_unique<WorkerRegistry>(store_.get(), Clock::Real(), options);
    ASSERT_TRUE(registry_->Recover().ok());
    service_ =
        std::make_unique<CoordinatorServiceImpl>(store_.get(), registry_.get());
    worker_service_ =
        std::make_unique<WorkerServiceImpl>(registry_.get(), Clock::Real());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    builder.RegisterService(worker_service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        MakeChannel(absl::StrCat("127.0.0.1:", port), TransportSecurity{});
    ASSERT_TRUE(channel.ok()) << channel.status();
    channel_ = *channel;
    stub_ = v1::CoordinatorService::NewStub(channel_);
    absl::StatusOr<v1::ExperimentSpec> spec =
        spec::ParseSpecYaml(kSpecYaml, "t");
    ASSERT_TRUE(spec.ok()) << spec.status();
    spec_ = *spec;
  }
  void TearDown() override {
    registry_->Shutdown();
    service_->Shutdown();
    server_->Shutdown();
    server_.reset();
    worker_service_.reset();
    service_.reset();
    registry_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  absl::StatusOr<v1::Experiment> Create(const v1::ExperimentSpec& spec,
                                        const std::string& request_id = "",
                                        bool validate_only = false) {
    grpc::ClientContext context;
    v1::CreateExperimentRequest request;
    *request.mutable_spec() = spec;
    request.set_spec_source(kSpecYaml);
    request.set_request_id(request_id);
    request.set_validate_only(validate_only);
    v1::CreateExperimentResponse response;
    grpc::Status s = stub_->CreateExperiment(&context, request, &response);
    if (!s.ok()) return FromGrpcStatus(s);
    return response.experiment();
  }

  absl::StatusOr<v1::GetExperimentResponse> Get(const std::string& name,
                                                v1::ExperimentView view) {
    grpc::ClientContext context;
    v1::GetExperimentRequest request;
    request.set_name(name);
    request.set_view(view);
    v1::GetExperimentResponse response;
    grpc::Status s = stub_->GetExperiment(&context, request, &response);
    if (!s.ok()) return FromGrpcStatus(s);
    return response;
  }

  absl::StatusOr<v1::Experiment> Cancel(const std::string& name) {
    grpc::ClientContext context;
    v1::CancelExperimentRequest request;
    request.set_name(name);
    v1::CancelExperimentResponse response;
    grpc::Status s = stub_->CancelExperiment(&context, request, &response);
    if (!s.ok()) return FromGrpcStatus(s);
    return response.experiment();
  }

  absl::StatusOr<v1::ListExperimentsResponse> List(v1::ExperimentView view) {
    grpc::ClientContext context;
    v1::ListExperimentsRequest request;
    request.set_view(view);
    v1::ListExperimentsResponse response;
    grpc::Status s = stub_->ListExperiments(&context, request, &response);
    if (!s.ok()) return FromGrpcStatus(s);
    return response;
  }

  std::string dir_;
  std::unique_ptr<Stores> store_;
  std::unique_ptr<WorkerRegistry> registry_;
  std::unique_ptr<CoordinatorServiceImpl> service_;
  std::unique_ptr<WorkerServiceImpl> worker_service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CoordinatorService::Stub> stub_;
  v1::ExperimentSpec spec_;
};

}  // namespace scalebench::coordinator::coordinator_service_test

#endif  // SCALEBENCH_COORDINATOR_RPC_COORDINATOR_SERVICE_TEST_FIXTURE_H_
