#include "coordinator/rpc/coordinator_service.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "api/attempt_keys.h"
#include "api/resource_names.h"
#include "common/grpc_channel.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"
#include "coordinator/trials/fit_models.h"
#include "coordinator/trials/random_seed.h"
#include "spec/defaults.h"
#include "spec/grid.h"
#include "spec/limits.h"
#include "spec/validate.h"

namespace scalebench::coordinator {
namespace {

bool Ended(v1::ExperimentState state) {
  return state == v1::EXPERIMENT_STATE_SUCCEEDED ||
         state == v1::EXPERIMENT_STATE_FAILED ||
         state == v1::EXPERIMENT_STATE_CANCELLED;
}

// The longest request_id a client may send (a UUID is 36 characters).
constexpr size_t kMaxRequestIdLength = 128;

// The spec (spec::ValidateSpec, the same checks as for a spec file) and
// the request's other fields, bounded so that nothing stored with the
// experiment can make a later response too large.
absl::Status CheckCreateRequest(const v1::CreateExperimentRequest& request) {
  if (request.spec_source().size() > spec::kMaxSpecFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec_source: has ", request.spec_source().size(),
                     " bytes, more than the ", spec::kMaxSpecFileBytes,
                     " of the largest spec file"));
  }
  if (request.request_id().size() > kMaxRequestIdLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request_id: has ", request.request_id().size(),
        " bytes, more than the ", kMaxRequestIdLength, " allowed"));
  }
  return spec::ValidateSpec(request.spec());
}

// The experiment a valid `spec` would become, without an id.
v1::Experiment Preview(const v1::CreateExperimentRequest& request,
                       uint64_t seed) {
  const v1::ExperimentSpec full = spec::WithDefaults(request.spec());
  v1::Experiment experiment;
  *experiment.mutable_spec() = request.spec();
  experiment.set_spec_source(request.spec_source());
  experiment.set_state(v1::EXPERIMENT_STATE_PENDING);
  experiment.set_seed(seed);
  for (v1::Configuration& c : spec::ExpandGrid(full)) {
    *experiment.add_configurations() = std::move(c);
  }
  experiment.mutable_progress()->set_trials_total(
      experiment.configurations_size() *
      spec::MinRepetitions(full.repetitions()));
  return experiment;
}

// Writes a fixed list of messages, then finishes with OK; or finishes at
// once with an error. Deletes itself when done.
template <typename Response>
class ListWriter final : public grpc::ServerWriteReactor<Response> {
 public:
  explicit ListWriter(std::vector<Response> messages)
      : messages_(std::move(messages)) {
    Next();
  }
  explicit ListWriter(const absl::Status& error) {
    this->Finish(ToGrpcStatus(error));
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      this->Finish(
          grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    Next();
  }
  void OnDone() override { delete this; }

 private:
  void Next() {
    if (next_ == messages_.size()) {
      this->Finish(grpc::Status::OK);
      return;
    }
    this->StartWrite(&messages_[next_++]);
  }

  std::vector<Response> messages_;
  size_t next_ = 0;
};

// Finishes `reactor` with PERMISSION_DENIED and returns true when the
// caller may not use this service (CheckUserIdentity: a worker's
// certificate may call only WorkerService.Synchronize).
bool RefuseNonUser(grpc::CallbackServerContext* context,
                   grpc::ServerUnaryReactor* reactor) {
  absl::Status s = CheckUserIdentity(*context->auth_context());
  if (s.ok()) return false;
  reactor->Finish(ToGrpcStatus(s));
  return true;
}

}  // namespace

// One WatchExperiment stream: stored events after `after_sequence`, then,
// polled by the service, new ones, until the experiment ends, the client
// cancels, or the service shuts down. Reference counted: gRPC holds one
// reference until OnDone, and whoever calls in from another thread (the
// poll thread, Shutdown) holds one for the call.
class WatchReactor final
    : public grpc::ServerWriteReactor<v1::WatchExperimentResponse> {
 public:
  WatchReactor(CoordinatorServiceImpl* service, std::string experiment_id,
               uint64_t after_sequence, v1::ExperimentView view)
      : service_(service),
        experiment_id_(std::move(experiment_id)),
        after_(after_sequence),
        view_(view) {}

  // Registers with the service and sends what is stored.
  void Start() {
    Ref();
    if (service_->AddWatch(this)) {
      Poll();
    } else {
      Stop(absl::UnavailableError("the coordinator is shutting down"));
    }
    Unref();
  }

  // Sends the events stored since the last poll; with none, finishes if
  // the experiment has ended, else waits for the next poll.
  void Poll() {
    absl::MutexLock lock(&mu_);
    if (finished_ || writing_ || stop_.has_value()) return;
    Stores* store = service_->store_;
    // The state first: an event that ends the experiment is stored with
    // the state, so the events read next include it.
    absl::StatusOr<v1::Experiment> experiment =
        store->experiments().GetExperiment(experiment_id_, view_);
    if (!experiment.ok()) return FinishLocked(experiment.status());
    absl::StatusOr<std::vector<v1::ExperimentEvent>> events =
        store->experiments().Events(experiment_id_, after_);
    if (!events.ok()) return FinishLocked(events.status());
    if (events->empty()) {
      if (Ended(experiment->state())) return FinishLocked(absl::OkStatus());
      service_->WaitForEvents(this);
      return;
    }
    for (v1::ExperimentEvent& event : *events) {
      after_ = event.sequence();
      if (view_ == v1::EXPERIMENT_VIEW_FULL) {
        v1::Experiment* e = event.mutable_experiment();
        e->set_spec_source(experiment->spec_source());
        *e->mutable_configurations() = experiment->configurations();
      }
      v1::WatchExperimentResponse response;
      *response.mutable_event() = std::move(event);
      pending_.push_back(std::move(response));
    }
    WriteNextLocked();
  }

  // Ends the stream with `status` (once a write in flight completes).
  void Stop(const absl::Status& status) {
    absl::MutexLock lock(&mu_);
    FinishLocked(status);
  }

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) {
        return FinishLocked(absl::CancelledError("the client went away"));
      }
      if (stop_.has_value()) return FinishLocked(*stop_);
      if (!pending_.empty()) return WriteNextLocked();
    }
    Poll();
  }

  void OnCancel() override {
    Stop(absl::CancelledError("the client cancelled"));
  }

  void OnDone() override {
    service_->RemoveWatch(this);
    Unref();
  }

 private:
  void FinishLocked(const absl::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    if (writing_) {
      if (!stop_.has_value()) stop_ = status;
      return;
    }
    finished_ = true;
    Finish(ToGrpcStatus(status));
  }
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    current_ = std::move(pending_.front());
    pending_.pop_front();
    writing_ = true;
    StartWrite(&current_);
  }

  CoordinatorServiceImpl* const service_;
  const std::string experiment_id_;
  std::atomic<int> refs_{1};

  absl::Mutex mu_;
  uint64_t after_ ABSL_GUARDED_BY(mu_);
  const v1::ExperimentView view_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> stop_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::WatchExperimentResponse> pending_ ABSL_GUARDED_BY(mu_);
  v1::WatchExperimentResponse current_ ABSL_GUARDED_BY(mu_);
};

CoordinatorServiceImpl::CoordinatorServiceImpl(
    Stores* store, WorkerRegistry* registry, CoordinatorServiceOptions options)
    : store_(store),
      registry_(registry),
      options_(options),
      poller_([this] { PollLoop(); }) {}

CoordinatorServiceImpl::~CoordinatorServiceImpl() {
  Shutdown();
  poller_.join();
}

void CoordinatorServiceImpl::Shutdown() {
  std::vector<WatchReactor*> open;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    waiting_.clear();
    for (WatchReactor* watch : watches_) {
      watch->Ref();
      open.push_back(watch);
    }
  }
  for (WatchReactor* watch : open) {
    watch->Stop(absl::UnavailableError("the coordinator is shutting down"));
    watch->Unref();
  }
}

int CoordinatorServiceImpl::TEST_OpenWatches() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(watches_.size());
}

bool CoordinatorServiceImpl::AddWatch(WatchReactor* watch) {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return false;
  watches_.insert(watch);
  return true;
}

void CoordinatorServiceImpl::RemoveWatch(WatchReactor* watch) {
  absl::MutexLock lock(&mu_);
  watches_.erase(watch);
  waiting_.erase(watch);
}

void CoordinatorServiceImpl::WaitForEvents(WatchReactor* watch) {
  absl::MutexLock lock(&mu_);
  if (!shut_down_) waiting_.insert(watch);
}

void CoordinatorServiceImpl::PollLoop() {
  absl::MutexLock lock(&mu_);
  while (!shut_down_) {
    mu_.AwaitWithTimeout(absl::Condition(&shut_down_),
                         options_.watch_poll_interval);
    if (shut_down_) break;
    std::vector<WatchReactor*> due(waiting_.begin(), waiting_.end());
    waiting_.clear();
    for (WatchReactor* watch : due) watch->Ref();
    mu_.Unlock();
    for (WatchReactor* watch : due) {
      watch->Poll();
      watch->Unref();
    }
    mu_.Lock();
  }
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::CreateExperiment(
    grpc::CallbackServerContext* context,
    const v1::CreateExperimentRequest* request,
    v1::CreateExperimentResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (RefuseNonUser(context, reactor)) return reactor;
  if (absl::Status s = CheckCreateRequest(*request); !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  const uint64_t seed =
      request->spec().has_seed() ? request->spec().seed() : RandomSeed();
  if (request->validate_only()) {
    *response->mutable_experiment() = Preview(*request, seed);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  absl::StatusOr<v1::Experiment> experiment =
      store_->experiments().CreateExperiment(
          request->spec(), request->spec_source(), request->request_id(), seed);
  if (experiment.ok()) *response->mutable_experiment() = *experiment;
  reactor->Finish(ToGrpcStatus(experiment.status()));
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::GetExperiment(
    grpc::CallbackServerContext* context,
    const v1::GetExperimentRequest* request,
    v1::GetExperimentResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (RefuseNonUser(context, reactor)) return reactor;
  reactor->Finish(ToGrpcStatus([&]() -> absl::Status {
    absl::StatusOr<std::string> id = api::ParseExperimentName(request->name());
    if (!id.ok()) return id.status();
    const bool full = request->view() == v1::EXPERIMENT_VIEW_FULL;
    // The source and the grid once, on the first page.
    const bool first_page = request->page_token().empty();
    absl::StatusOr<v1::Experiment> experiment =
        store_->experiments().GetExperiment(*id, full && !first_page
                                                     ? v1::EXPERIMENT_VIEW_BASIC
                                                     : request->view());
    if (!experiment.ok()) return experiment.status();
    if (full) {
      absl::StatusOr<TrialPage> page = store_->trials().ListTrialsPage(
          *id, request->page_size(), request->page_token());
      if (!page.ok()) return page.status();
      for (v1::Trial& t : page->trials) *response->add_trials() = std::move(t);
      response->set_next_page_token(page->next_page_token);
      if (page->next_page_token.empty()) {
        absl::StatusOr<std::vector<v1::ModelFit>> fits =
            store_->fits().ListFits(*id);
        if (!fits.ok()) return fits.status();
        for (v1::ModelFit& f : *fits) *response->add_fits() = std::move(f);
      }
    }
    *response->mutable_experiment() = std::move(experiment).value();
    return absl::OkStatus();
  }()));
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::ListExperiments(
    grpc::CallbackServerContext* context,
    const v1::ListExperimentsRequest* request,
    v1::ListExperimentsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (RefuseNonUser(context, reactor)) return reactor;
  std::string schedule_id;
  if (!request->schedule().empty()) {
    absl::StatusOr<std::string> id =
        api::ParseScheduleName(request->schedule());
    if (!id.ok()) {
      reactor->Finish(ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("schedule: ", id.status().message()))));
      return reactor;
    }
    schedule_id = *std::move(id);
  }
  absl::StatusOr<ExperimentPage> page = store_->experiments().ListExperiments(
      request->page_size(), request->page_token(), request->view(),
      schedule_id);
  if (page.ok()) {
    // The state filter applies within the page: a page may hold fewer
    // than page_size experiments and still not be the last (AIP-158).
    for (v1::Experiment& e : page->experiments) {
      if (request->states().empty() ||
          absl::c_linear_search(request->states(), e.state())) {
        *response->add_experiments() = std::move(e);
      }
    }
    response->set_next_page_token(page->next_page_token);
  }
  reactor->Finish(ToGrpcStatus(page.status()));
  return reactor;
}

grpc::ServerWriteReactor<v1::WatchExperimentResponse>*
CoordinatorServiceImpl::WatchExperiment(
    grpc::CallbackServerContext* context,
    const v1::WatchExperimentRequest* request) {
  if (absl::Status s = CheckUserIdentity(*context->auth_context()); !s.ok()) {
    return new ListWriter<v1::WatchExperimentResponse>(s);
  }
  absl::StatusOr<std::string> id = api::ParseExperimentName(request->name());
  if (!id.ok()) {
    return new ListWriter<v1::WatchExperimentResponse>(id.status());
  }
  auto* watch = new WatchReactor(this, *std::move(id),
                                 request->after_sequence(), request->view());
  watch->Start();
  return watch;
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::CancelExperiment(
    grpc::CallbackServerContext* context,
    const v1::CancelExperimentRequest* request,
    v1::CancelExperimentResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (RefuseNonUser(context, reactor)) return reactor;
  reactor->Finish(ToGrpcStatus([&]() -> absl::Status {
    absl::StatusOr<std::string> id = api::ParseExperimentName(request->name());
    if (!id.ok()) return id.status();
    absl::StatusOr<v1::Experiment> experiment =
        store_->experiments().GetExperiment(*id, v1::EXPERIMENT_VIEW_BASIC);
    if (!experiment.ok()) return experiment.status();
    const v1::ExperimentState state = experiment->state();
    if (!Ended(state) && state != v1::EXPERIMENT_STATE_CANCELLING) {
      if (experiment->progress().trials_running() > 0) {
        // The scheduler fails the running attempts, tears them down,
        // cancels the queue, and then the experiment.
        absl::Status s = store_->experiments().SetExperimentState(
            *id, v1::EXPERIMENT_STATE_CANCELLING,
            "cancel requested; running trials are being torn down");
        if (!s.ok() && !absl::IsFailedPrecondition(s)) return s;
        experiment =
            store_->experiments().GetExperiment(*id, v1::EXPERIMENT_VIEW_BASIC);
        if (!experiment.ok()) return experiment.status();
        *response->mutable_experiment() = std::move(experiment).value();
        return absl::OkStatus();
      }
      // Every queued trial and the experiment in one transaction, however
      // many trials there are.
      absl::Status s = store_->trials()
                           .EndQueuedTrials(*id, v1::TRIAL_STATE_CANCELLED,
                                            v1::EXPERIMENT_STATE_CANCELLED,
                                            "cancelled by request")
                           .status();
      // FAILED_PRECONDITION: it ended meanwhile; return it as it is.
      if (!s.ok() && !absl::IsFailedPrecondition(s)) return s;
      experiment =
          store_->experiments().GetExperiment(*id, v1::EXPERIMENT_VIEW_BASIC);
      if (!experiment.ok()) return experiment.status();
      if (!Ended(experiment->state())) {
        // A trial was placed meanwhile: the scheduler tears it down.
        s = store_->experiments().SetExperimentState(
            *id, v1::EXPERIMENT_STATE_CANCELLING,
            "cancel requested; running trials are being torn down");
        if (!s.ok() && !absl::IsFailedPrecondition(s)) return s;
        experiment =
            store_->experiments().GetExperiment(*id, v1::EXPERIMENT_VIEW_BASIC);
        if (!experiment.ok()) return experiment.status();
      }
    }
    *response->mutable_experiment() = std::move(experiment).value();
    return absl::OkStatus();
  }()));
  return reactor;
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::ListWorkers(
    grpc::CallbackServerContext* context, const v1::ListWorkersRequest*,
    v1::ListWorkersResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (RefuseNonUser(context, reactor)) return reactor;
  absl::StatusOr<std::vector<v1::Worker>> workers =
      store_->workers().ListWorkers();
  if (workers.ok()) {
    for (v1::Worker& worker : *workers) {
      absl::StatusOr<std::string> id = api::ParseWorkerName(worker.name());
      std::optional<WorkerInfo> info;
      if (id.ok()) info = registry_->Get(*id);
      if (info.has_value()) {
        if (info->lost) worker.set_status(v1::WORKER_STATUS_LOST);
        // The store's is refreshed only now and then (persist_interval).
        if (info->last_seen > TimeFromProto(worker.last_seen_time())) {
          *worker.mutable_last_seen_time() = TimeToProto(info->last_seen);
        }
        if (info->clock.has_value()) {
          *worker.mutable_clock_offset() = DurationToProto(info->clock->offset);
          *worker.mutable_round_trip() =
              DurationToProto(info->clock->round_trip);
        }
        if (const v1::AttemptKey* key = api::ReportedAttempt(info->current)) {
          *worker.mutable_attempt() = *key;
        }
      }
      *response->add_workers() = std::move(worker);
    }
  }
  reactor->Finish(ToGrpcStatus(workers.status()));
  return reactor;
}

grpc::ServerWriteReactor<v1::ExportResultsResponse>*
CoordinatorServiceImpl::ExportResults(grpc::CallbackServerContext* context,
                                      const v1::ExportResultsRequest* request) {
  using Writer = ListWriter<v1::ExportResultsResponse>;
  if (absl::Status s = CheckUserIdentity(*context->auth_context()); !s.ok()) {
    return new Writer(s);
  }
  absl::StatusOr<std::string> id = api::ParseExperimentName(request->name());
  if (!id.ok()) return new Writer(id.status());
  absl::StatusOr<v1::Experiment> experiment =
      store_->experiments().GetExperiment(*id, v1::EXPERIMENT_VIEW_BASIC);
  if (!experiment.ok()) return new Writer(experiment.status());
  absl::StatusOr<std::vector<v1::Trial>> trials =
      store_->trials().ListTrials(*id);
  if (!trials.ok()) return new Writer(trials.status());
  absl::StatusOr<std::vector<v1::TrialResult>> results =
      store_->results().ListTrialResults(*id);
  if (!results.ok()) return new Writer(results.status());
  absl::StatusOr<std::vector<v1::ModelFit>> fits = store_->fits().ListFits(*id);
  if (!fits.ok()) return new Writer(fits.status());

  // Only succeeded trials' results, as the API promises.
  absl::flat_hash_set<std::string> succeeded;
  for (const v1::Trial& trial : *trials) {
    if (trial.state() == v1::TRIAL_STATE_SUCCEEDED) {
      succeeded.insert(trial.name());
    }
  }
  std::vector<v1::TrialResult> exported;
  for (v1::TrialResult& result : *results) {
    if (succeeded.contains(result.key().trial())) {
      exported.push_back(std::move(result));
    }
  }
  // Fits not stored yet are computed now from the stored results, and not
  // stored: storing them is the scheduler's analysis step.
  if (fits->empty()) *fits = FitSpecModels(experiment->spec(), exported);

  std::vector<v1::ExportResultsResponse> messages;
  for (v1::TrialResult& result : exported) {
    if (!request->include_raw()) result.clear_raw();
    messages.emplace_back();
    *messages.back().add_results() = std::move(result);
  }
  // The last message carries the model fits.
  messages.emplace_back();
  for (v1::ModelFit& fit : *fits) {
    *messages.back().add_fits() = std::move(fit);
  }
  return new Writer(std::move(messages));
}

}  // namespace scalebench::coordinator
