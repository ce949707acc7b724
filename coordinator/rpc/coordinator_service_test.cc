#include <string>

#include "coordinator/rpc/coordinator_service_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator::coordinator_service_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

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

// Submit's check: what the workers synchronizing now could never run is
// refused with require_placeable (nothing created), else listed.
TEST_F(CoordinatorServiceTest, CreateChecksTheGridAgainstTheWorkersThere) {
  v1::CreateExperimentRequest request;
  *request.mutable_spec() = spec_;
  request.set_require_placeable(true);
  absl::StatusOr<v1::CreateExperimentResponse> refused =
      Call(&v1::CoordinatorService::Stub::CreateExperiment, request);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_THAT(refused.status().message(),
              HasSubstr("no worker is synchronizing"));
  EXPECT_THAT(List(v1::EXPERIMENT_VIEW_BASIC)->experiments(), SizeIs(0));

  // Workers may still join: created, with the problem listed.
  request.set_require_placeable(false);
  absl::StatusOr<v1::CreateExperimentResponse> waiting =
      Call(&v1::CoordinatorService::Stub::CreateExperiment, request);
  ASSERT_TRUE(waiting.ok()) << waiting.status();
  EXPECT_THAT(waiting->unplaceable(),
              ElementsAre(HasSubstr("no worker is synchronizing")));

  // One native worker runs both configurations (1 and 2 instances, 1 host).
  v1::SynchronizeRequest hello;
  hello.set_worker_id("h1");
  hello.set_session_id("s");
  hello.mutable_facts()->add_platforms(v1::PLATFORM_NATIVE);
  hello.mutable_current()->mutable_idle();
  v1::SynchronizeResponse answer;
  registry_->Synchronize(hello, absl::Now(), &answer, [](absl::Status) {});
  request.set_require_placeable(true);
  absl::StatusOr<v1::CreateExperimentResponse> placeable =
      Call(&v1::CoordinatorService::Stub::CreateExperiment, request);
  ASSERT_TRUE(placeable.ok()) << placeable.status();
  EXPECT_THAT(placeable->unplaceable(), SizeIs(0));

  // Two hosts per trial: the one worker is named and the second missing.
  request.mutable_spec()->mutable_sweep()->add_hosts(2);
  absl::StatusOr<v1::CreateExperimentResponse> two_hosts =
      Call(&v1::CoordinatorService::Stub::CreateExperiment, request);
  EXPECT_TRUE(absl::IsFailedPrecondition(two_hosts.status()));
  EXPECT_THAT(two_hosts.status().message(),
              HasSubstr("needs 2 free hosts: 2 that run native; 1 found (1 "
                        "worker synchronizing: h1)"));
  EXPECT_THAT(List(v1::EXPERIMENT_VIEW_BASIC)->experiments(), SizeIs(2));
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
  v1::CreateExperimentRequest request;
  *request.mutable_spec() = spec_;
  request.set_spec_source(std::string(spec::kMaxSpecFileBytes + 1, '#'));
  const absl::Status status =
      Call(&v1::CoordinatorService::Stub::CreateExperiment, request).status();
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("spec_source: has 1048577 bytes"));

  request.clear_spec_source();
  request.set_request_id(std::string(129, 'r'));
  const absl::Status id =
      Call(&v1::CoordinatorService::Stub::CreateExperiment, request).status();
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
  constexpr auto kGet = &v1::CoordinatorService::Stub::GetExperiment;
  v1::GetExperimentRequest request;
  request.set_name("experiments/exp-000001");
  request.set_view(v1::EXPERIMENT_VIEW_FULL);
  request.set_page_size(3);
  absl::StatusOr<v1::GetExperimentResponse> first = Call(kGet, request);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->trials(), SizeIs(3));
  EXPECT_THAT(first->experiment().configurations(), SizeIs(2));
  ASSERT_FALSE(first->next_page_token().empty());

  request.set_page_token(first->next_page_token());
  absl::StatusOr<v1::GetExperimentResponse> last = Call(kGet, request);
  ASSERT_TRUE(last.ok()) << last.status();
  ASSERT_THAT(last->trials(), SizeIs(1));
  EXPECT_EQ(last->trials(0).name(), "experiments/exp-000001/trials/3");
  EXPECT_EQ(last->next_page_token(), "");
  // The grid and source come once, on the first page.
  EXPECT_THAT(last->experiment().configurations(), SizeIs(0));
  EXPECT_EQ(last->experiment().spec_source(), "");

  request.set_page_token("p1");
  EXPECT_TRUE(absl::IsInvalidArgument(Call(kGet, request).status()));
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
  for (uint32_t n = 0; n < 600; ++n) {
    const std::string trial = api::TrialName("exp-000001", n);
    ASSERT_TRUE(store_->trials().StartAttempt(trial, placement).ok());
    FailTargetStart(*store_, trial, 1, std::string(7000, 'r'));
  }
  v1::GetExperimentRequest request;
  request.set_name("experiments/exp-000001");
  request.set_view(v1::EXPERIMENT_VIEW_FULL);
  int trials = 0;
  int pages = 0;
  do {
    absl::StatusOr<v1::GetExperimentResponse> page =
        Call(&v1::CoordinatorService::Stub::GetExperiment, request);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LT(page->ByteSizeLong(), size_t{2} << 20);
    for (const v1::Trial& trial : page->trials()) {
      EXPECT_EQ(trial.name(), api::TrialName("exp-000001", trials++));
    }
    ++pages;
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  EXPECT_EQ(trials, 600);
  EXPECT_GE(pages, 4);
}

TEST_F(CoordinatorServiceTest, ListFiltersByState) {
  ASSERT_TRUE(Create(spec_).ok());
  v1::ListExperimentsRequest request;
  request.add_states(v1::EXPERIMENT_STATE_RUNNING);
  absl::StatusOr<v1::ListExperimentsResponse> response =
      Call(&v1::CoordinatorService::Stub::ListExperiments, request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_THAT(response->experiments(), SizeIs(0));
}

TEST_F(CoordinatorServiceTest, MalformedNamesAreInvalidUnknownOnesNotFound) {
  EXPECT_TRUE(absl::IsInvalidArgument(
      Get("experiment/exp-000001", v1::EXPERIMENT_VIEW_BASIC).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(Cancel("exp-000001").status()));
  EXPECT_TRUE(absl::IsNotFound(
      Get("experiments/exp-000099", v1::EXPERIMENT_VIEW_BASIC).status()));
  EXPECT_TRUE(absl::IsNotFound(Cancel("experiments/exp-000099").status()));

  auto watch = Watch("experiments/exp-000099");
  const auto received = ReadToEnd(*watch->reader);
  EXPECT_THAT(received.messages, SizeIs(0));
  EXPECT_EQ(received.status.error_code(), grpc::StatusCode::NOT_FOUND);
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
  auto watch = Watch(name);
  v1::WatchExperimentResponse response;
  ASSERT_TRUE(watch->reader->Read(&response));
  EXPECT_EQ(response.event().sequence(), 1u);
  EXPECT_EQ(response.event().experiment().state(),
            v1::EXPERIMENT_STATE_PENDING);

  ASSERT_TRUE(Cancel(name).ok());
  const auto rest = ReadToEnd(*watch->reader);
  uint64_t last = 1;
  v1::ExperimentState state = v1::EXPERIMENT_STATE_PENDING;
  for (const v1::WatchExperimentResponse& later : rest.messages) {
    EXPECT_EQ(later.event().sequence(), last + 1);
    last = later.event().sequence();
    state = later.event().experiment().state();
  }
  EXPECT_TRUE(rest.status.ok());
  EXPECT_EQ(state, v1::EXPERIMENT_STATE_CANCELLED);
}

TEST_F(CoordinatorServiceTest, WatchResumesAfterASequence) {
  ASSERT_TRUE(Create(spec_).ok());
  ASSERT_TRUE(Cancel("experiments/exp-000001").ok());
  auto watch = Watch("experiments/exp-000001", 1);
  v1::WatchExperimentResponse response;
  ASSERT_TRUE(watch->reader->Read(&response));
  EXPECT_EQ(response.event().sequence(), 2u);
}

TEST_F(CoordinatorServiceTest, AClientThatCancelsClosesItsWatch) {
  ASSERT_TRUE(Create(spec_).ok());
  auto watch = Watch("experiments/exp-000001");
  v1::WatchExperimentResponse response;
  ASSERT_TRUE(watch->reader->Read(&response));
  EXPECT_EQ(service_->TEST_OpenWatches(), 1);

  watch->context.TryCancel();
  const auto rest = ReadToEnd(*watch->reader);
  EXPECT_THAT(rest.messages, SizeIs(0));
  EXPECT_EQ(rest.status.error_code(), grpc::StatusCode::CANCELLED);
  for (int i = 0; i < 500 && service_->TEST_OpenWatches() > 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(service_->TEST_OpenWatches(), 0);
}

TEST_F(CoordinatorServiceTest, AFullViewWatchCarriesTheGrid) {
  ASSERT_TRUE(Create(spec_).ok());
  ASSERT_TRUE(Cancel("experiments/exp-000001").ok());
  auto watch = Watch("experiments/exp-000001", 0, v1::EXPERIMENT_VIEW_FULL);
  const auto received = ReadToEnd(*watch->reader);
  for (const v1::WatchExperimentResponse& response : received.messages) {
    EXPECT_THAT(response.event().experiment().configurations(), SizeIs(2));
  }
  EXPECT_TRUE(received.status.ok());
  EXPECT_GT(received.messages.size(), 1u);
}

TEST_F(CoordinatorServiceTest, ShutdownEndsAnOpenWatch) {
  ASSERT_TRUE(Create(spec_).ok());
  auto watch = Watch("experiments/exp-000001");
  v1::WatchExperimentResponse response;
  ASSERT_TRUE(watch->reader->Read(&response));

  service_->Shutdown();
  const auto rest = ReadToEnd(*watch->reader);
  EXPECT_THAT(rest.messages, SizeIs(0));
  EXPECT_EQ(rest.status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

// A client that finds its watch ended must not find the coordinator
// answering its next call, as if nothing had happened.
TEST_F(CoordinatorServiceTest, AfterShutdownEveryCallIsUnavailable) {
  ASSERT_TRUE(Create(spec_).ok());
  ASSERT_TRUE(Get("experiments/exp-000001", v1::EXPERIMENT_VIEW_BASIC).ok());
  service_->Shutdown();
  absl::StatusOr<v1::GetExperimentResponse> got =
      Get("experiments/exp-000001", v1::EXPERIMENT_VIEW_BASIC);
  EXPECT_TRUE(absl::IsUnavailable(got.status())) << got.status();
  EXPECT_TRUE(absl::IsUnavailable(Create(spec_).status()));
}

}  // namespace
}  // namespace scalebench::coordinator::coordinator_service_test
