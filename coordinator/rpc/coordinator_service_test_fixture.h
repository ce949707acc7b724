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
#include "common/status_macros.h"
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

  // Calls `method` (e.g. &v1::CoordinatorService::Stub::GetExperiment)
  // with `request`: its response, or its status as an error.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(
      grpc::Status (v1::CoordinatorService::Stub::*method)(grpc::ClientContext*,
                                                           const Request&,
                                                           Response*),
      const Request& request) {
    grpc::ClientContext context;
    Response response;
    grpc::Status s = (stub_.get()->*method)(&context, request, &response);
    if (!s.ok()) return FromGrpcStatus(s);
    return response;
  }

  absl::StatusOr<v1::Experiment> Create(const v1::ExperimentSpec& spec,
                                        const std::string& request_id = "",
                                        bool validate_only = false) {
    v1::CreateExperimentRequest request;
    *request.mutable_spec() = spec;
    request.set_spec_source(kSpecYaml);
    request.set_request_id(request_id);
    request.set_validate_only(validate_only);
    ASSIGN_OR_RETURN(
        v1::CreateExperimentResponse response,
        Call(&v1::CoordinatorService::Stub::CreateExperiment, request));
    return response.experiment();
  }

  absl::StatusOr<v1::GetExperimentResponse> Get(const std::string& name,
                                                v1::ExperimentView view) {
    v1::GetExperimentRequest request;
    request.set_name(name);
    request.set_view(view);
    return Call(&v1::CoordinatorService::Stub::GetExperiment, request);
  }

  absl::StatusOr<v1::Experiment> Cancel(const std::string& name) {
    v1::CancelExperimentRequest request;
    request.set_name(name);
    ASSIGN_OR_RETURN(
        v1::CancelExperimentResponse response,
        Call(&v1::CoordinatorService::Stub::CancelExperiment, request));
    return response.experiment();
  }

  absl::StatusOr<v1::ListExperimentsResponse> List(v1::ExperimentView view) {
    v1::ListExperimentsRequest request;
    request.set_view(view);
    return Call(&v1::CoordinatorService::Stub::ListExperiments, request);
  }

  // An open server stream: its context (to cancel it) and its reader.
  template <typename Response>
  struct OpenStream {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<Response>> reader;
  };

  // What a server stream sent from now to its end, and how it ended.
  template <typename Response>
  struct Received {
    std::vector<Response> messages;
    grpc::Status status;
  };
  template <typename Response>
  static Received<Response> ReadToEnd(grpc::ClientReader<Response>& reader) {
    Received<Response> received;
    Response response;
    while (reader.Read(&response)) received.messages.push_back(response);
    received.status = reader.Finish();
    return received;
  }

  // Opens WatchExperiment of `name` for the events after `after_sequence`.
  std::unique_ptr<OpenStream<v1::WatchExperimentResponse>> Watch(
      const std::string& name, uint64_t after_sequence = 0,
      v1::ExperimentView view = v1::EXPERIMENT_VIEW_UNSPECIFIED) {
    auto watch = std::make_unique<OpenStream<v1::WatchExperimentResponse>>();
    v1::WatchExperimentRequest request;
    request.set_name(name);
    request.set_after_sequence(after_sequence);
    request.set_view(view);
    watch->reader = stub_->WatchExperiment(&watch->context, request);
    return watch;
  }

  // ExportResults of `name`, read to its end.
  Received<v1::ExportResultsResponse> Export(const std::string& name,
                                             bool include_raw = false) {
    grpc::ClientContext context;
    v1::ExportResultsRequest request;
    request.set_name(name);
    request.set_include_raw(include_raw);
    return ReadToEnd(*stub_->ExportResults(&context, request));
  }

  // The last message of a successful export of exp-000001 (the fits).
  v1::ExportResultsResponse LastExported() {
    Received<v1::ExportResultsResponse> exported =
        Export("experiments/exp-000001");
    EXPECT_TRUE(exported.status.ok()) << exported.status.error_message();
    if (exported.messages.empty()) return v1::ExportResultsResponse();
    return exported.messages.back();
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
