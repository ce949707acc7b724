// CoordinatorService against a real gRPC server on loopback: exported
// results and fits, the workers, and the schedules.
#include <string>

#include "coordinator/rpc/coordinator_service_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::coordinator::coordinator_service_test {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST_F(CoordinatorServiceTest, ExportOfANewExperimentHasNoResults) {
  ASSERT_TRUE(Create(spec_).ok());
  const auto exported = Export("experiments/exp-000001");
  EXPECT_TRUE(exported.status.ok());
  ASSERT_THAT(exported.messages, SizeIs(1));
  EXPECT_THAT(exported.messages[0].results(), SizeIs(0));
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
    const auto exported = Export("experiments/exp-000001", include_raw);
    EXPECT_TRUE(exported.status.ok());
    const std::vector<v1::ExportResultsResponse>& messages = exported.messages;
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

  v1::ExportResultsResponse last = LastExported();
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
  last = LastExported();
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
  const v1::ExportResultsResponse last = LastExported();
  EXPECT_THAT(last.results(), SizeIs(0));
  ASSERT_THAT(last.fits(), SizeIs(2));
  EXPECT_EQ(last.fits(0).error(),
            "models[0]: no rows to fit: there are no trial results");
  EXPECT_EQ(last.fits(1).error(),
            "models[1]: no rows to fit: there are no trial results");
  EXPECT_TRUE(Get("experiments/exp-000001", v1::EXPERIMENT_VIEW_BASIC).ok());
}

TEST_F(CoordinatorServiceTest, ExportOfAnUnknownExperimentIsNotFound) {
  const auto exported = Export("experiments/exp-000099");
  EXPECT_THAT(exported.messages, SizeIs(0));
  EXPECT_EQ(exported.status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(CoordinatorServiceTest, AForeignPageTokenIsInvalid) {
  v1::ListExperimentsRequest request;
  request.set_page_token("not-a-token");
  EXPECT_TRUE(absl::IsInvalidArgument(
      Call(&v1::CoordinatorService::Stub::ListExperiments, request).status()));
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
  v1::Schedule schedule = DailySchedule(spec);
  schedule.set_time_zone("Europe/Lisbon");
  return schedule;
}

TEST_F(CoordinatorServiceTest, SchedulesAreCreatedReadPausedRunAndDeleted) {
  using Stub = v1::CoordinatorService::Stub;
  v1::CreateScheduleRequest create;
  *create.mutable_schedule() = NightlySchedule(spec_);
  absl::StatusOr<v1::CreateScheduleResponse> created =
      Call(&Stub::CreateSchedule, create);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->schedule().name(), "schedules/nightly");
  ASSERT_TRUE(created->schedule().has_next_run_time());
  // 02:00 in Lisbon is 01:00 or 02:00 UTC: a whole hour, after now.
  const absl::Time next = TimeFromProto(created->schedule().next_run_time());
  EXPECT_GT(next, absl::Now());
  EXPECT_EQ(absl::ToUnixSeconds(next) % 3600, 0);

  v1::SetSchedulePausedRequest pause;
  pause.set_name("schedules/nightly");
  pause.set_paused(true);
  absl::StatusOr<v1::SetSchedulePausedResponse> paused =
      Call(&Stub::SetSchedulePaused, pause);
  ASSERT_TRUE(paused.ok()) << paused.status();
  EXPECT_TRUE(paused->schedule().paused());
  EXPECT_FALSE(paused->schedule().has_next_run_time());

  // By hand it runs even while paused, and records its night.
  v1::RunScheduleRequest run_request;
  run_request.set_name("schedules/nightly");
  absl::StatusOr<v1::RunScheduleResponse> run =
      Call(&Stub::RunSchedule, run_request);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_TRUE(run->run().manual());
  absl::StatusOr<v1::GetExperimentResponse> experiment =
      Get(run->run().experiment(), v1::EXPERIMENT_VIEW_BASIC);
  ASSERT_TRUE(experiment.ok()) << experiment.status();
  EXPECT_EQ(experiment->experiment().schedule(), "schedules/nightly");

  v1::ListExperimentsRequest list;
  list.set_schedule("schedules/nightly");
  absl::StatusOr<v1::ListExperimentsResponse> listed =
      Call(&Stub::ListExperiments, list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(listed->experiments(), SizeIs(1));

  v1::DeleteScheduleRequest remove;
  remove.set_name("schedules/nightly");
  ASSERT_TRUE(Call(&Stub::DeleteSchedule, remove).ok());
  v1::GetScheduleRequest get;
  get.set_name("schedules/nightly");
  EXPECT_TRUE(absl::IsNotFound(Call(&Stub::GetSchedule, get).status()));
}

TEST_F(CoordinatorServiceTest, ABadScheduleIsRefusedNamingTheField) {
  struct Case {
    void (*spoil)(v1::Schedule*);
    absl::StatusCode code;
    const char* says;
  };
  const Case cases[] = {
      {[](v1::Schedule* s) { s->set_cron("0 2 * *"); },
       absl::StatusCode::kInvalidArgument, "cron: "},
      {[](v1::Schedule* s) { s->set_name("nightly"); },
       absl::StatusCode::kInvalidArgument, "name: "},
      {[](v1::Schedule* s) { s->set_baseline("experiments/exp-000099"); },
       absl::StatusCode::kNotFound, "baseline: no experiment"},
  };
  for (const Case& c : cases) {
    v1::CreateScheduleRequest request;
    *request.mutable_schedule() = NightlySchedule(spec_);
    c.spoil(request.mutable_schedule());
    const absl::Status status =
        Call(&v1::CoordinatorService::Stub::CreateSchedule, request).status();
    EXPECT_EQ(status.code(), c.code) << c.says;
    EXPECT_THAT(status.message(), HasSubstr(c.says));
  }
  absl::StatusOr<v1::ListSchedulesResponse> none = Call(
      &v1::CoordinatorService::Stub::ListSchedules, v1::ListSchedulesRequest());
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_THAT(none->schedules(), SizeIs(0));
}

}  // namespace
}  // namespace scalebench::coordinator::coordinator_service_test
