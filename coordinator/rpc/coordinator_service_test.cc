#include "coordinator/rpc/coordinator_service.h"

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
#include "coordinator/store/stores_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/limits.h"
#include "spec/spec_yaml.h"
#include "worker/agent/sync_client.h"
#include "worker/spool.h"

namespace scalebench::coordinator {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kSpecYaml[] = R"yaml(
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

TEST_F(CoordinatorServiceTest, CreateReturnsThePendingExperimentInFullView) {
  absl::StatusOr<v1::Experiment> created = Create(spec_);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->name(), "experiments/exp-000001");
  EXPECT_EQ(created->state(), v1::EXPERIMENT_STATE_PENDING);
  EXPECT_EQ(created->seed(), 7u);
  EXPECT_THAT(created->configurations(), SizeIs(2));
  EXPECT_EQ(created->spec_source(), kSpecYaml);
  EXPECT_EQ(created->progress().trials_total(), 4u);
}

TEST_F(CoordinatorServiceTest, BadSpecIsInvalidArgumentNamingTheField) {
  v1::ExperimentSpec bad = spec_;
  bad.clear_name();
  absl::StatusOr<v1::Experiment> created = Create(bad);
  EXPECT_TRUE(absl::IsInvalidArgument(created.status())) << created.status();
  EXPECT_THAT(created.status().message(), HasSubstr("name: is required"));
  absl::StatusOr<v1::ListExperimentsResponse> list =
      List(v1::EXPERIMENT_VIEW_BASIC);
  ASSERT_TRUE(list.ok());
  EXPECT_THAT(list->experiments(), SizeIs(0));
}

// Issue 25: repetitions were not bounded; 4294967295 x 10,000
// configurations reached the store and wedged it.
TEST_F(CoordinatorServiceTest, ASpecBeyondTheLimitsIsRefusedAsProtobufToo) {
  v1::ExperimentSpec huge = spec_;
  huge.mutable_repetitions()->set_count(4294967295u);
  for (uint32_t c = 1; c <= 5000; ++c) huge.mutable_sweep()->add_connections(c);
  for (bool validate_only : {true, false}) {
    absl::StatusOr<v1::Experiment> created = Create(huge, "", validate_only);
    EXPECT_TRUE(absl::IsInvalidArgument(created.status())) << created.status();
    EXPECT_THAT(created.status().message(),
                HasSubstr("repetitions: 4294967295 is more than the maximum"));
  }
  huge.mutable_repetitions()->set_count(2);
  absl::StatusOr<v1::Experiment> created = Create(huge);
  EXPECT_TRUE(absl::IsInvalidArgument(created.status())) << created.status();
  EXPECT_THAT(created.status().message(),
              HasSubstr("repetitions: 10000 configurations x 2 repetitions = "
                        "20000 trials, more than the 10000"));
  // The store is not wedged: a valid spec is created.
  EXPECT_TRUE(Create(spec_).ok());
}

// Issue 25: a 1.8 MB request of instances and hosts levels took 23.5 s of
// validation (instances x hosts); now the number of levels is checked
// first. The deadline only keeps a regression from hanging the test.
TEST_F(CoordinatorServiceTest, AHugeSweepIsRefusedBeforeItsGridIsCounted) {
  v1::ExperimentSpec huge = spec_;
  huge.mutable_sweep()->clear_instances();
  for (uint32_t i = 1; i <= 250000; ++i) {
    huge.mutable_sweep()->add_instances(i);
    huge.mutable_sweep()->add_hosts(i);
  }
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  v1::CreateExperimentRequest request;
  *request.mutable_spec() = huge;
  request.set_validate_only(true);
  v1::CreateExperimentResponse response;
  const absl::Status status =
      FromGrpcStatus(stub_->CreateExperiment(&context, request, &response));
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_THAT(status.message(),
              HasSubstr("sweep.instances: has 250000 levels, more than the "
                        "10000 allowed"));
}

// Issue 25: a 10 kB name was echoed whole, and the error's trailer
// exceeded the client's metadata limit: RESOURCE_EXHAUSTED instead.
TEST_F(CoordinatorServiceTest, AHugeNameIsInvalidArgumentWithAShortMessage) {
  v1::ExperimentSpec bad = spec_;
  bad.set_name(std::string(10000, 'n') + " ");
  absl::StatusOr<v1::Experiment> created = Create(bad);
  EXPECT_TRUE(absl::IsInvalidArgument(created.status())) << created.status();
  EXPECT_LT(created.status().message().size(), 300u);
  EXPECT_THAT(created.status().message(), HasSubstr("(10001 bytes)"));
}

TEST_F(CoordinatorServiceTest, TheRequestsOtherFieldsAreBounded) {
  grpc::ClientContext context;
  v1::CreateExperimentRequest request;
  *request.mutable_spec() = spec_;
  request.set_spec_source(std::string(spec::kMaxSpecFileBytes + 1, '#'));
  v1::CreateExperimentResponse response;
  const absl::Status status =
      FromGrpcStatus(stub_->CreateExperiment(&context, request, &response));
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("spec_source: has 1048577 bytes"));

  grpc::ClientContext again;
  request.clear_spec_source();
  request.set_request_id(std::string(129, 'r'));
  const absl::Status id =
      FromGrpcStatus(stub_->CreateExperiment(&again, request, &response));
  EXPECT_TRUE(absl::IsInvalidArgument(id)) << id;
  EXPECT_THAT(id.message(), HasSubstr("request_id: has 129 bytes"));
}

TEST_F(CoordinatorServiceTest, ValidateOnlyExpandsButCreatesNothing) {
  absl::StatusOr<v1::Experiment> preview = Create(spec_, "", true);
  ASSERT_TRUE(preview.ok()) << preview.status();
  EXPECT_EQ(preview->name(), "");
  EXPECT_THAT(preview->configurations(), SizeIs(2));
  EXPECT_EQ(preview->progress().trials_total(), 4u);
  absl::StatusOr<v1::ListExperimentsResponse> list =
      List(v1::EXPERIMENT_VIEW_BASIC);
  ASSERT_TRUE(list.ok());
  EXPECT_THAT(list->experiments(), SizeIs(0));
}

TEST_F(CoordinatorServiceTest, RequestIdMakesARetryReturnTheSameExperiment) {
  absl::StatusOr<v1::Experiment> first = Create(spec_, "req-1");
  absl::StatusOr<v1::Experiment> retry = Create(spec_, "req-1");
  ASSERT_TRUE(first.ok() && retry.ok());
  EXPECT_EQ(retry->name(), first->name());
  v1::ExperimentSpec other = spec_;
  other.set_name("another");
  EXPECT_TRUE(absl::IsAlreadyExists(Create(other, "req-1").status()));
  absl::StatusOr<v1::ListExperimentsResponse> list =
      List(v1::EXPERIMENT_VIEW_BASIC);
  ASSERT_TRUE(list.ok());
  EXPECT_THAT(list->experiments(), SizeIs(1));
}

TEST_F(CoordinatorServiceTest, GetAndListHonourTheView) {
  ASSERT_TRUE(Create(spec_).ok());
  const std::string name = "experiments/exp-000001";

  absl::StatusOr<v1::GetExperimentResponse> basic =
      Get(name, v1::EXPERIMENT_VIEW_UNSPECIFIED);
  ASSERT_TRUE(basic.ok()) << basic.status();
  EXPECT_EQ(basic->experiment().name(), name);
  EXPECT_EQ(basic->experiment().spec_source(), "");
  EXPECT_THAT(basic->experiment().configurations(), SizeIs(0));
  EXPECT_THAT(basic->trials(), SizeIs(0));

  absl::StatusOr<v1::GetExperimentResponse> full =
      Get(name, v1::EXPERIMENT_VIEW_FULL);
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->experiment().spec_source(), kSpecYaml);
  EXPECT_THAT(full->experiment().configurations(), SizeIs(2));
  EXPECT_THAT(full->trials(), SizeIs(4));

  absl::StatusOr<v1::ListExperimentsResponse> list_basic =
      List(v1::EXPERIMENT_VIEW_BASIC);
  absl::StatusOr<v1::ListExperimentsResponse> list_full =
      List(v1::EXPERIMENT_VIEW_FULL);
  ASSERT_TRUE(list_basic.ok() && list_full.ok());
  ASSERT_THAT(list_basic->experiments(), SizeIs(1));
  ASSERT_THAT(list_full->experiments(), SizeIs(1));
  EXPECT_THAT(list_basic->experiments(0).configurations(), SizeIs(0));
  EXPECT_THAT(list_full->experiments(0).configurations(), SizeIs(2));
}

TEST_F(CoordinatorServiceTest, AFullViewPagesTheTrials) {
  ASSERT_TRUE(Create(spec_).ok());
  grpc::ClientContext context;
  v1::GetExperimentRequest request;
  request.set_name("experiments/exp-000001");
  request.set_view(v1::EXPERIMENT_VIEW_FULL);
  request.set_page_size(3);
  v1::GetExperimentResponse first;
  ASSERT_TRUE(stub_->GetExperiment(&context, request, &first).ok());
  EXPECT_THAT(first.trials(), SizeIs(3));
  EXPECT_THAT(first.experiment().configurations(), SizeIs(2));
  ASSERT_FALSE(first.next_page_token().empty());

  grpc::ClientContext again;
  request.set_page_token(first.next_page_token());
  v1::GetExperimentResponse last;
  ASSERT_TRUE(stub_->GetExperiment(&again, request, &last).ok());
  ASSERT_THAT(last.trials(), SizeIs(1));
  EXPECT_EQ(last.trials(0).name(), "experiments/exp-000001/trials/3");
  EXPECT_EQ(last.next_page_token(), "");
  // The grid and source come once, on the first page.
  EXPECT_THAT(last.experiment().configurations(), SizeIs(0));
  EXPECT_EQ(last.experiment().spec_source(), "");

  grpc::ClientContext foreign;
  request.set_page_token("p1");
  EXPECT_EQ(stub_->GetExperiment(&foreign, request, &last).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// Issue 25: `status EXP` of a large experiment exceeded gRPC's 4 MiB
// message limit. 600 trials with a 7 kB failure each are 4.2 MB.
TEST_F(CoordinatorServiceTest, ALargeExperimentComesInPagesThatEachFit) {
  v1::ExperimentSpec large = spec_;
  large.mutable_repetitions()->set_count(1);
  for (uint32_t c = 1; c <= 300; ++c) large.mutable_sweep()->add_connections(c);
  ASSERT_TRUE(Create(large).ok());
  google::protobuf::Map<std::string, std::string> placement;
  placement["target/0"] = "workers/a";
  v1::Failure failure;
  failure.set_kind(v1::FAILURE_KIND_TARGET_START);
  failure.set_reason(std::string(7000, 'r'));
  for (uint32_t n = 0; n < 600; ++n) {
    const std::string trial = api::TrialName("exp-000001", n);
    ASSERT_TRUE(store_->trials().StartAttempt(trial, placement).ok());
    v1::AttemptKey key;
    key.set_trial(trial);
    key.set_attempt(1);
    ASSERT_TRUE(store_->trials().FinishAttempt(key, failure).ok());
  }
  v1::GetExperimentRequest request;
  request.set_name("experiments/exp-000001");
  request.set_view(v1::EXPERIMENT_VIEW_FULL);
  int trials = 0;
  int pages = 0;
  do {
    grpc::ClientContext context;
    v1::GetExperimentResponse page;
    const grpc::Status s = stub_->GetExperiment(&context, request, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_LT(page.ByteSizeLong(), size_t{2} << 20);
    for (const v1::Trial& trial : page.trials()) {
      EXPECT_EQ(trial.name(), api::TrialName("exp-000001", trials++));
    }
    ++pages;
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  EXPECT_EQ(trials, 600);
  EXPECT_GE(pages, 4);
}

TEST_F(CoordinatorServiceTest, ListFiltersByState) {
  ASSERT_TRUE(Create(spec_).ok());
  grpc::ClientContext context;
  v1::ListExperimentsRequest request;
  request.add_states(v1::EXPERIMENT_STATE_RUNNING);
  v1::ListExperimentsResponse response;
  ASSERT_TRUE(stub_->ListExperiments(&context, request, &response).ok());
  EXPECT_THAT(response.experiments(), SizeIs(0));
}

TEST_F(CoordinatorServiceTest, MalformedNamesAreInvalidUnknownOnesNotFound) {
  EXPECT_TRUE(absl::IsInvalidArgument(
      Get("experiment/exp-000001", v1::EXPERIMENT_VIEW_BASIC).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(Cancel("exp-000001").status()));
  EXPECT_TRUE(absl::IsNotFound(
      Get("experiments/exp-000099", v1::EXPERIMENT_VIEW_BASIC).status()));
  EXPECT_TRUE(absl::IsNotFound(Cancel("experiments/exp-000099").status()));

  grpc::ClientContext context;
  v1::WatchExperimentRequest request;
  request.set_name("experiments/exp-000099");
  auto reader = stub_->WatchExperiment(&context, request);
  v1::WatchExperimentResponse response;
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(CoordinatorServiceTest, CancelIsIdempotentAndCancelsQueuedTrials) {
  ASSERT_TRUE(Create(spec_).ok());
  const std::string name = "experiments/exp-000001";
  absl::StatusOr<v1::Experiment> first = Cancel(name);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->state(), v1::EXPERIMENT_STATE_CANCELLED);
  absl::StatusOr<v1::Experiment> again = Cancel(name);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->state(), v1::EXPERIMENT_STATE_CANCELLED);
  EXPECT_EQ(again->end_time().seconds(), first->end_time().seconds());
  absl::StatusOr<v1::GetExperimentResponse> full =
      Get(name, v1::EXPERIMENT_VIEW_FULL);
  ASSERT_TRUE(full.ok());
  for (const v1::Trial& trial : full->trials()) {
    EXPECT_EQ(trial.state(), v1::TRIAL_STATE_CANCELLED) << trial.name();
  }
}

TEST_F(CoordinatorServiceTest, WatchSendsTheCreationEventThenEndsOnCancel) {
  ASSERT_TRUE(Create(spec_).ok());
  const std::string name = "experiments/exp-000001";
  grpc::ClientContext context;
  v1::WatchExperimentRequest request;
  request.set_name(name);
  auto reader = stub_->WatchExperiment(&context, request);
  v1::WatchExperimentResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.event().sequence(), 1u);
  EXPECT_EQ(response.event().experiment().state(),
            v1::EXPERIMENT_STATE_PENDING);

  ASSERT_TRUE(Cancel(name).ok());
  uint64_t last = 1;
  v1::ExperimentState state = v1::EXPERIMENT_STATE_PENDING;
  while (reader->Read(&response)) {
    EXPECT_EQ(response.event().sequence(), last + 1);
    last = response.event().sequence();
    state = response.event().experiment().state();
  }
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(state, v1::EXPERIMENT_STATE_CANCELLED);
}

TEST_F(CoordinatorServiceTest, WatchResumesAfterASequence) {
  ASSERT_TRUE(Create(spec_).ok());
  ASSERT_TRUE(Cancel("experiments/exp-000001").ok());
  grpc::ClientContext context;
  v1::WatchExperimentRequest request;
  request.set_name("experiments/exp-000001");
  request.set_after_sequence(1);
  auto reader = stub_->WatchExperiment(&context, request);
  v1::WatchExperimentResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.event().sequence(), 2u);
}

TEST_F(CoordinatorServiceTest, AClientThatCancelsClosesItsWatch) {
  ASSERT_TRUE(Create(spec_).ok());
  grpc::ClientContext context;
  v1::WatchExperimentRequest request;
  request.set_name("experiments/exp-000001");
  auto reader = stub_->WatchExperiment(&context, request);
  v1::WatchExperimentResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(service_->TEST_OpenWatches(), 1);

  context.TryCancel();
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  for (int i = 0; i < 500 && service_->TEST_OpenWatches() > 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(service_->TEST_OpenWatches(), 0);
}

TEST_F(CoordinatorServiceTest, AFullViewWatchCarriesTheGrid) {
  ASSERT_TRUE(Create(spec_).ok());
  ASSERT_TRUE(Cancel("experiments/exp-000001").ok());
  grpc::ClientContext context;
  v1::WatchExperimentRequest request;
  request.set_name("experiments/exp-000001");
  request.set_view(v1::EXPERIMENT_VIEW_FULL);
  auto reader = stub_->WatchExperiment(&context, request);
  v1::WatchExperimentResponse response;
  int events = 0;
  while (reader->Read(&response)) {
    ++events;
    EXPECT_THAT(response.event().experiment().configurations(), SizeIs(2));
  }
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_GT(events, 1);
}

TEST_F(CoordinatorServiceTest, ShutdownEndsAnOpenWatch) {
  ASSERT_TRUE(Create(spec_).ok());
  grpc::ClientContext context;
  v1::WatchExperimentRequest request;
  request.set_name("experiments/exp-000001");
  auto reader = stub_->WatchExperiment(&context, request);
  v1::WatchExperimentResponse response;
  ASSERT_TRUE(reader->Read(&response));

  service_->Shutdown();
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(CoordinatorServiceTest, ExportOfANewExperimentHasNoResults) {
  ASSERT_TRUE(Create(spec_).ok());
  grpc::ClientContext context;
  v1::ExportResultsRequest request;
  request.set_name("experiments/exp-000001");
  auto reader = stub_->ExportResults(&context, request);
  std::vector<v1::ExportResultsResponse> messages;
  v1::ExportResultsResponse response;
  while (reader->Read(&response)) messages.push_back(response);
  EXPECT_TRUE(reader->Finish().ok());
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_THAT(messages[0].results(), SizeIs(0));
}

TEST_F(CoordinatorServiceTest, ExportSendsSucceededTrialsThenTheFits) {
  ASSERT_TRUE(Create(spec_).ok());
  const std::string trial = api::TrialName("exp-000001", 0);
  google::protobuf::Map<std::string, std::string> placement;
  placement["loadgen/0"] = "host-a";
  ASSERT_TRUE(store_->trials().StartAttempt(trial, placement).ok());
  v1::WorkerResult raw;
  raw.mutable_key()->set_trial(trial);
  raw.mutable_key()->set_attempt(1);
  raw.set_worker_id("host-a");
  raw.mutable_loadgen()->set_requests(100);
  ASSERT_TRUE(store_->results().StoreWorkerResult(raw).ok());
  v1::TrialResult merged;
  *merged.mutable_key() = raw.key();
  merged.set_requests_per_s(100);
  *merged.add_raw() = raw;
  ASSERT_TRUE(store_->results().StoreTrialResult(merged).ok());
  ASSERT_TRUE(store_->trials()
                  .SetTrialState(trial, v1::TRIAL_STATE_SUCCEEDED, "done")
                  .ok());

  for (bool include_raw : {false, true}) {
    grpc::ClientContext context;
    v1::ExportResultsRequest request;
    request.set_name("experiments/exp-000001");
    request.set_include_raw(include_raw);
    auto reader = stub_->ExportResults(&context, request);
    std::vector<v1::ExportResultsResponse> messages;
    v1::ExportResultsResponse response;
    while (reader->Read(&response)) messages.push_back(response);
    EXPECT_TRUE(reader->Finish().ok());
    ASSERT_THAT(messages, SizeIs(2));
    ASSERT_THAT(messages[0].results(), SizeIs(1));
    EXPECT_EQ(messages[0].results(0).key().trial(), trial);
    EXPECT_EQ(messages[0].results(0).raw_size(), include_raw ? 1 : 0);
    EXPECT_THAT(messages[1].results(), SizeIs(0));
  }
}

TEST_F(CoordinatorServiceTest, FullViewReturnsTheStoredFits) {
  ASSERT_TRUE(Create(spec_).ok());
  v1::ModelFit stored;
  stored.mutable_spec()->set_x("instances");
  stored.set_n(4);
  ASSERT_TRUE(store_->fits().ReplaceFits("exp-000001", {stored}).ok());
  absl::StatusOr<v1::GetExperimentResponse> full =
      Get("experiments/exp-000001", v1::EXPERIMENT_VIEW_FULL);
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_THAT(full->fits(), SizeIs(1));
  EXPECT_EQ(full->fits(0).n(), 4u);
  absl::StatusOr<v1::GetExperimentResponse> basic =
      Get("experiments/exp-000001", v1::EXPERIMENT_VIEW_BASIC);
  ASSERT_TRUE(basic.ok()) << basic.status();
  EXPECT_THAT(basic->fits(), SizeIs(0));
}

// The last message of an export.
v1::ExportResultsResponse LastExported(v1::CoordinatorService::Stub& stub) {
  grpc::ClientContext context;
  v1::ExportResultsRequest request;
  request.set_name("experiments/exp-000001");
  auto reader = stub.ExportResults(&context, request);
  v1::ExportResultsResponse response, last;
  while (reader->Read(&response)) last = response;
  EXPECT_TRUE(reader->Finish().ok());
  return last;
}

// Four succeeded trials at 1 and 2 instances measured 30 and 50 req/s:
// the line through them is 10 + 20 x. Without stored fits the export
// computes them (and stores nothing); stored fits are exported as stored.
TEST_F(CoordinatorServiceTest, ExportComputesFitsUntilSomeAreStored) {
  v1::ExperimentSpec spec = spec_;
  v1::ModelSpec* model = spec.add_models();
  model->set_fit(v1::MODEL_KIND_LINEAR);
  model->set_x("instances");
  model->set_y("requests_per_s");
  ASSERT_TRUE(Create(spec).ok());
  for (uint32_t n = 0; n < 4; ++n) {
    const std::string trial = api::TrialName("exp-000001", n);
    ASSERT_TRUE(store_->trials().StartAttempt(trial, {}).ok());
    v1::TrialResult merged;
    merged.mutable_key()->set_trial(trial);
    merged.mutable_key()->set_attempt(1);
    const uint32_t instances = 1 + n % 2;
    merged.mutable_configuration()->set_instances(instances);
    merged.mutable_merged()->mutable_latency()->set_sub_bucket_bits(7);
    merged.set_requests_per_s(10 + 20.0 * instances);
    ASSERT_TRUE(store_->results().StoreTrialResult(merged).ok());
    ASSERT_TRUE(store_->trials()
                    .SetTrialState(trial, v1::TRIAL_STATE_SUCCEEDED, "done")
                    .ok());
  }

  v1::ExportResultsResponse last = LastExported(*stub_);
  ASSERT_THAT(last.fits(), SizeIs(1));
  const v1::ModelFit& fit = last.fits(0);
  EXPECT_EQ(fit.error(), "");
  EXPECT_EQ(fit.n(), 4u);
  ASSERT_THAT(fit.parameters(), SizeIs(2));
  EXPECT_NEAR(fit.parameters(0).estimate(), 10, 1e-9);
  EXPECT_NEAR(fit.parameters(1).estimate(), 20, 1e-9);
  absl::StatusOr<std::vector<v1::ModelFit>> stored =
      store_->fits().ListFits("exp-000001");
  ASSERT_TRUE(stored.ok());
  EXPECT_THAT(*stored, SizeIs(0));

  v1::ModelFit marker;
  marker.set_error("stored");
  ASSERT_TRUE(store_->fits().ReplaceFits("exp-000001", {marker}).ok());
  last = LastExported(*stub_);
  ASSERT_THAT(last.fits(), SizeIs(1));
  EXPECT_EQ(last.fits(0).error(), "stored");
}

// Issue 25: `scalebench results` on a just-submitted experiment with a usl
// model without `by` killed the coordinator (SIGSEGV in the fit of no
// rows). The export says there is nothing to fit, and the service answers
// on.
TEST_F(CoordinatorServiceTest, ExportBeforeAnyResultSaysThereAreNoRowsToFit) {
  v1::ExperimentSpec spec = spec_;
  for (v1::ModelKind kind : {v1::MODEL_KIND_USL, v1::MODEL_KIND_AMDAHL}) {
    v1::ModelSpec* model = spec.add_models();
    model->set_fit(kind);
    model->set_x("instances");
    model->set_y("requests_per_s");
  }
  ASSERT_TRUE(Create(spec).ok());
  const v1::ExportResultsResponse last = LastExported(*stub_);
  EXPECT_THAT(last.results(), SizeIs(0));
  ASSERT_THAT(last.fits(), SizeIs(2));
  EXPECT_EQ(last.fits(0).error(),
            "models[0]: no rows to fit: there are no trial results");
  EXPECT_EQ(last.fits(1).error(),
            "models[1]: no rows to fit: there are no trial results");
  EXPECT_TRUE(Get("experiments/exp-000001", v1::EXPERIMENT_VIEW_BASIC).ok());
}

TEST_F(CoordinatorServiceTest, ExportOfAnUnknownExperimentIsNotFound) {
  grpc::ClientContext context;
  v1::ExportResultsRequest request;
  request.set_name("experiments/exp-000099");
  auto reader = stub_->ExportResults(&context, request);
  v1::ExportResultsResponse response;
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(CoordinatorServiceTest, AForeignPageTokenIsInvalid) {
  grpc::ClientContext context;
  v1::ListExperimentsRequest request;
  request.set_page_token("not-a-token");
  v1::ListExperimentsResponse response;
  EXPECT_EQ(stub_->ListExperiments(&context, request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(CoordinatorServiceTest, ListWorkersShowsAWorkerThatSynchronized) {
  absl::StatusOr<worker::Spool> spool = worker::Spool::Open(dir_ + "/spool");
  ASSERT_TRUE(spool.ok());
  IdleExecutor executor;
  worker::SyncOptions options;
  options.worker_id = "host-a";
  options.session_id = "session-1";
  v1::HostFacts facts;
  facts.mutable_environment()->set_hostname("host-a.example");
  worker::SyncClient client(channel_, options, facts, &*spool, &executor,
                            Clock::Real());
  ASSERT_TRUE(client.SynchronizeOnce().ok());
  // The second exchange carries the first one's timestamps.
  ASSERT_TRUE(client.SynchronizeOnce().ok());

  grpc::ClientContext context;
  v1::ListWorkersResponse response;
  ASSERT_TRUE(
      stub_->ListWorkers(&context, v1::ListWorkersRequest(), &response).ok());
  ASSERT_THAT(response.workers(), SizeIs(1));
  const v1::Worker& worker = response.workers(0);
  EXPECT_EQ(worker.name(), "workers/host-a");
  EXPECT_EQ(worker.status(), v1::WORKER_STATUS_IDLE);
  EXPECT_EQ(worker.facts().environment().hostname(), "host-a.example");
  EXPECT_TRUE(worker.has_round_trip());
}

v1::Schedule NightlySchedule(const v1::ExperimentSpec& spec) {
  v1::Schedule schedule;
  schedule.set_name("schedules/nightly");
  *schedule.mutable_spec() = spec;
  schedule.set_cron("0 2 * * *");
  schedule.set_time_zone("Europe/Lisbon");
  return schedule;
}

TEST_F(CoordinatorServiceTest, SchedulesAreCreatedReadPausedRunAndDeleted) {
  grpc::ClientContext create_context;
  v1::CreateScheduleRequest create;
  *create.mutable_schedule() = NightlySchedule(spec_);
  v1::CreateScheduleResponse created;
  ASSERT_TRUE(stub_->CreateSchedule(&create_context, create, &created).ok());
  EXPECT_EQ(created.schedule().name(), "schedules/nightly");
  ASSERT_TRUE(created.schedule().has_next_run_time());
  // 02:00 in Lisbon is 01:00 or 02:00 UTC: a whole hour, after now.
  const absl::Time next = TimeFromProto(created.schedule().next_run_time());
  EXPECT_GT(next, absl::Now());
  EXPECT_EQ(absl::ToUnixSeconds(next) % 3600, 0);

  grpc::ClientContext pause_context;
  v1::SetSchedulePausedRequest pause;
  pause.set_name("schedules/nightly");
  pause.set_paused(true);
  v1::SetSchedulePausedResponse paused;
  ASSERT_TRUE(stub_->SetSchedulePaused(&pause_context, pause, &paused).ok());
  EXPECT_TRUE(paused.schedule().paused());
  EXPECT_FALSE(paused.schedule().has_next_run_time());

  // By hand it runs even while paused, and records its night.
  grpc::ClientContext run_context;
  v1::RunScheduleRequest run_request;
  run_request.set_name("schedules/nightly");
  v1::RunScheduleResponse run;
  ASSERT_TRUE(stub_->RunSchedule(&run_context, run_request, &run).ok());
  EXPECT_TRUE(run.run().manual());
  absl::StatusOr<v1::GetExperimentResponse> experiment =
      Get(run.run().experiment(), v1::EXPERIMENT_VIEW_BASIC);
  ASSERT_TRUE(experiment.ok()) << experiment.status();
  EXPECT_EQ(experiment->experiment().schedule(), "schedules/nightly");

  grpc::ClientContext list_context;
  v1::ListExperimentsRequest list;
  list.set_schedule("schedules/nightly");
  v1::ListExperimentsResponse listed;
  ASSERT_TRUE(stub_->ListExperiments(&list_context, list, &listed).ok());
  EXPECT_THAT(listed.experiments(), SizeIs(1));

  grpc::ClientContext delete_context;
  v1::DeleteScheduleRequest remove;
  remove.set_name("schedules/nightly");
  v1::DeleteScheduleResponse removed;
  ASSERT_TRUE(stub_->DeleteSchedule(&delete_context, remove, &removed).ok());
  grpc::ClientContext get_context;
  v1::GetScheduleRequest get;
  get.set_name("schedules/nightly");
  v1::GetScheduleResponse got;
  EXPECT_EQ(stub_->GetSchedule(&get_context, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(CoordinatorServiceTest, ABadScheduleIsRefusedNamingTheField) {
  struct Case {
    void (*spoil)(v1::Schedule*);
    grpc::StatusCode code;
    const char* says;
  };
  const Case cases[] = {
      {[](v1::Schedule* s) { s->set_cron("0 2 * *"); },
       grpc::StatusCode::INVALID_ARGUMENT, "cron: "},
      {[](v1::Schedule* s) { s->set_name("nightly"); },
       grpc::StatusCode::INVALID_ARGUMENT, "name: "},
      {[](v1::Schedule* s) { s->set_baseline("experiments/exp-000099"); },
       grpc::StatusCode::NOT_FOUND, "baseline: no experiment"},
  };
  for (const Case& c : cases) {
    v1::CreateScheduleRequest request;
    *request.mutable_schedule() = NightlySchedule(spec_);
    c.spoil(request.mutable_schedule());
    grpc::ClientContext context;
    v1::CreateScheduleResponse response;
    grpc::Status status = stub_->CreateSchedule(&context, request, &response);
    EXPECT_EQ(status.error_code(), c.code) << c.says;
    EXPECT_THAT(status.error_message(), HasSubstr(c.says));
  }
  grpc::ClientContext context;
  v1::ListSchedulesResponse none;
  ASSERT_TRUE(
      stub_->ListSchedules(&context, v1::ListSchedulesRequest(), &none).ok());
  EXPECT_THAT(none.schedules(), SizeIs(0));
}

}  // namespace
}  // namespace scalebench::coordinator
