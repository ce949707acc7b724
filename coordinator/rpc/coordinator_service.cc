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
#include "absl/strings/str_join.h"
#include "api/attempt_keys.h"
#include "api/resource_names.h"
#include "common/grpc_channel.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/rpc/user_call.h"
#include "coordinator/trials/fit_models.h"
#include "coordinator/trials/placement.h"
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

// The experiment id a streaming call names in `name`, once the caller is
// known to be a user (CheckUserIdentity: PERMISSION_DENIED for a worker's
// certificate).
absl::StatusOr<std::string> UserCallFor(const grpc::CallbackServerContext& ctx,
                                        const std::string& name) {
  RETURN_IF_ERROR(CheckUserIdentity(*ctx.auth_context()));
  return api::ParseExperimentName(name);
}

// Cancels experiment `id` and returns it as it then is. With no trial
// running, every queued trial and the experiment end in one transaction
// (however many trials there are); otherwise the experiment becomes
// CANCELLING and the scheduler fails the running attempts, tears them down,
// cancels the queue, and then the experiment. An experiment that has ended
// or is cancelling is returned as it is.
absl::StatusOr<v1::Experiment> Cancel(Stores& store, const std::string& id) {
  auto read = [&] {
    return store.experiments().GetExperiment(id, v1::EXPERIMENT_VIEW_BASIC);
  };
  // FAILED_PRECONDITION from a write below: the experiment ended
  // meanwhile; it is returned as it is.
  auto hand_to_scheduler = [&]() -> absl::StatusOr<v1::Experiment> {
    absl::Status s = store.experiments().SetExperimentState(
        id, v1::EXPERIMENT_STATE_CANCELLING,
        "cancel requested; running trials are being torn down");
    if (!s.ok() && !absl::IsFailedPrecondition(s)) return s;
    return read();
  };
  ASSIGN_OR_RETURN(v1::Experiment experiment, read());
  const v1::ExperimentState state = experiment.state();
  if (Ended(state) || state == v1::EXPERIMENT_STATE_CANCELLING) {
    return experiment;
  }
  if (experiment.progress().trials_running() > 0) return hand_to_scheduler();
  absl::Status s = store.trials()
                       .EndQueuedTrials(id, v1::TRIAL_STATE_CANCELLED,
                                        v1::EXPERIMENT_STATE_CANCELLED,
                                        "cancelled by request")
                       .status();
  if (!s.ok() && !absl::IsFailedPrecondition(s)) return s;
  ASSIGN_OR_RETURN(experiment, read());
  // A trial was placed meanwhile: the scheduler tears it down.
  if (!Ended(experiment.state())) return hand_to_scheduler();
  return experiment;
}

// What the registry knows of a connected worker and the store only now and
// then (persist_interval), written over `worker`: lost, last seen, clock,
// current attempt.
void AddLiveState(const std::optional<WorkerInfo>& info, v1::Worker& worker) {
  if (!info.has_value()) return;
  if (info->lost) worker.set_status(v1::WORKER_STATUS_LOST);
  if (info->last_seen > TimeFromProto(worker.last_seen_time())) {
    *worker.mutable_last_seen_time() = TimeToProto(info->last_seen);
  }
  if (info->clock.has_value()) {
    *worker.mutable_clock_offset() = DurationToProto(info->clock->offset);
    *worker.mutable_round_trip() = DurationToProto(info->clock->round_trip);
  }
  if (const v1::AttemptKey* key = api::ReportedAttempt(info->current)) {
    *worker.mutable_attempt() = *key;
  }
}

// ExportResults' messages for experiment `id`: one a succeeded trial's
// result (without raw samples unless `include_raw`), the last with the
// model fits.
absl::StatusOr<std::vector<v1::ExportResultsResponse>> ExportMessages(
    Stores& store, const std::string& id, bool include_raw) {
  ASSIGN_OR_RETURN(
      v1::Experiment experiment,
      store.experiments().GetExperiment(id, v1::EXPERIMENT_VIEW_BASIC));
  ASSIGN_OR_RETURN(std::vector<v1::Trial> trials,
                   store.trials().ListTrials(id));
  ASSIGN_OR_RETURN(std::vector<v1::TrialResult> results,
                   store.results().ListTrialResults(id));
  ASSIGN_OR_RETURN(std::vector<v1::ModelFit> fits, store.fits().ListFits(id));

  // Only succeeded trials' results, as the API promises.
  absl::flat_hash_set<std::string> succeeded;
  for (const v1::Trial& trial : trials) {
    if (trial.state() == v1::TRIAL_STATE_SUCCEEDED) {
      succeeded.insert(trial.name());
    }
  }
  std::vector<v1::TrialResult> exported;
  for (v1::TrialResult& result : results) {
    if (succeeded.contains(result.key().trial())) {
      exported.push_back(std::move(result));
    }
  }
  // Fits not stored yet are computed now from the stored results, and not
  // stored: storing them is the scheduler's analysis step.
  if (fits.empty()) fits = FitSpecModels(experiment.spec(), exported);

  std::vector<v1::ExportResultsResponse> messages;
  for (v1::TrialResult& result : exported) {
    if (!include_raw) result.clear_raw();
    messages.emplace_back();
    *messages.back().add_results() = std::move(result);
  }
  // The last message carries the model fits.
  messages.emplace_back();
  for (v1::ModelFit& fit : fits) *messages.back().add_fits() = std::move(fit);
  return messages;
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

grpc::ServerUnaryReactor* CoordinatorServiceImpl::Answer(
    grpc::CallbackServerContext* context,
    absl::FunctionRef<absl::Status()> body) {
  return AnswerUser(context, [&]() -> absl::Status {
    RETURN_IF_ERROR(Accepting());
    return body();
  });
}

absl::Status CoordinatorServiceImpl::Accepting() const {
  absl::MutexLock lock(&mu_);
  if (shut_down_) {
    return absl::UnavailableError("the coordinator is shutting down");
  }
  return absl::OkStatus();
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
  return Answer(context, [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckCreateRequest(*request));
    const uint64_t seed =
        request->spec().has_seed() ? request->spec().seed() : RandomSeed();
    if (request->validate_only()) {
      *response->mutable_experiment() = Preview(*request, seed);
      return absl::OkStatus();
    }
    const v1::ExperimentSpec full = spec::WithDefaults(request->spec());
    std::vector<std::string> unplaceable = UnplaceableConfigurations(
        spec::ExpandGrid(full), PlacementRules::FromSpec(full),
        registry_->LiveHosts());
    if (!unplaceable.empty() && request->require_placeable()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the workers synchronizing now cannot run it; nothing "
                       "was created:\n  ",
                       absl::StrJoin(unplaceable, "\n  ")));
    }
    for (std::string& line : unplaceable) {
      response->add_unplaceable(std::move(line));
    }
    ASSIGN_OR_RETURN(*response->mutable_experiment(),
                     store_->experiments().CreateExperiment(
                         request->spec(), request->spec_source(),
                         request->request_id(), seed));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::GetExperiment(
    grpc::CallbackServerContext* context,
    const v1::GetExperimentRequest* request,
    v1::GetExperimentResponse* response) {
  return Answer(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string id, api::ParseExperimentName(request->name()));
    const bool full = request->view() == v1::EXPERIMENT_VIEW_FULL;
    // The source and the grid once, on the first page.
    const bool first_page = request->page_token().empty();
    ASSIGN_OR_RETURN(v1::Experiment experiment,
                     store_->experiments().GetExperiment(
                         id, full && !first_page ? v1::EXPERIMENT_VIEW_BASIC
                                                 : request->view()));
    if (full) {
      ASSIGN_OR_RETURN(TrialPage page,
                       store_->trials().ListTrialsPage(id, request->page_size(),
                                                       request->page_token()));
      for (v1::Trial& t : page.trials) *response->add_trials() = std::move(t);
      response->set_next_page_token(page.next_page_token);
      if (page.next_page_token.empty()) {
        ASSIGN_OR_RETURN(std::vector<v1::ModelFit> fits,
                         store_->fits().ListFits(id));
        for (v1::ModelFit& f : fits) *response->add_fits() = std::move(f);
      }
    }
    *response->mutable_experiment() = std::move(experiment);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::ListExperiments(
    grpc::CallbackServerContext* context,
    const v1::ListExperimentsRequest* request,
    v1::ListExperimentsResponse* response) {
  return Answer(context, [&]() -> absl::Status {
    std::string schedule_id;
    if (!request->schedule().empty()) {
      absl::StatusOr<std::string> id =
          api::ParseScheduleName(request->schedule());
      if (!id.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("schedule: ", id.status().message()));
      }
      schedule_id = *std::move(id);
    }
    ASSIGN_OR_RETURN(ExperimentPage page,
                     store_->experiments().ListExperiments(
                         request->page_size(), request->page_token(),
                         request->view(), schedule_id));
    // The state filter applies within the page: a page may hold fewer
    // than page_size experiments and still not be the last (AIP-158).
    for (v1::Experiment& e : page.experiments) {
      if (request->states().empty() ||
          absl::c_linear_search(request->states(), e.state())) {
        *response->add_experiments() = std::move(e);
      }
    }
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<v1::WatchExperimentResponse>*
CoordinatorServiceImpl::WatchExperiment(
    grpc::CallbackServerContext* context,
    const v1::WatchExperimentRequest* request) {
  absl::StatusOr<std::string> id = UserCallFor(*context, request->name());
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
  return Answer(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string id, api::ParseExperimentName(request->name()));
    ASSIGN_OR_RETURN(*response->mutable_experiment(), Cancel(*store_, id));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoordinatorServiceImpl::ListWorkers(
    grpc::CallbackServerContext* context, const v1::ListWorkersRequest*,
    v1::ListWorkersResponse* response) {
  return Answer(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<v1::Worker> workers,
                     store_->workers().ListWorkers());
    for (v1::Worker& worker : workers) {
      absl::StatusOr<std::string> id = api::ParseWorkerName(worker.name());
      if (id.ok()) AddLiveState(registry_->Get(*id), worker);
      *response->add_workers() = std::move(worker);
    }
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<v1::ExportResultsResponse>*
CoordinatorServiceImpl::ExportResults(grpc::CallbackServerContext* context,
                                      const v1::ExportResultsRequest* request) {
  using Writer = ListWriter<v1::ExportResultsResponse>;
  absl::StatusOr<std::string> id = UserCallFor(*context, request->name());
  if (!id.ok()) return new Writer(id.status());
  if (absl::Status open = Accepting(); !open.ok()) return new Writer(open);
  absl::StatusOr<std::vector<v1::ExportResultsResponse>> messages =
      ExportMessages(*store_, *id, request->include_raw());
  if (!messages.ok()) return new Writer(messages.status());
  return new Writer(*std::move(messages));
}

}  // namespace scalebench::coordinator
