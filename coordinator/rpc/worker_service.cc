#include "coordinator/rpc/worker_service.h"

#include <algorithm>
#include <iostream>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/attempt_keys.h"
#include "api/resource_names.h"
#include "api/synchronize_limits.h"
#include "common/echo_text.h"
#include "common/grpc_channel.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"
#include "coordinator/trials/result_checks.h"

namespace scalebench::coordinator {
namespace {

// Longest the timer thread sleeps without looking at the clock, so that a
// FakeClock advanced by a test is noticed.
constexpr absl::Duration kTimerPoll = absl::Milliseconds(50);
constexpr absl::string_view kWorkerNamePrefix = "workers/";

// Whether `current` is where `desired` leads (or on its way there), so
// there is nothing new to tell the worker.
bool Matches(const v1::DesiredState& desired, const v1::WorkerState& current) {
  using D = v1::DesiredState;
  using W = v1::WorkerState;
  switch (desired.state_case()) {
    case D::kPrepare: {
      const v1::AttemptKey& key = desired.prepare().key();
      return (current.has_preparing() &&
              api::SameAttempt(current.preparing().key(), key)) ||
             (current.has_ready() &&
              api::SameAttempt(current.ready().key(), key)) ||
             (current.has_finished() &&
              api::SameAttempt(current.finished().key(), key));
    }
    case D::kMeasure: {
      const v1::AttemptKey& key = desired.measure().key();
      return (current.has_measuring() &&
              api::SameAttempt(current.measuring().key(), key)) ||
             (current.has_finished() &&
              api::SameAttempt(current.finished().key(), key));
    }
    case D::kTearDown:
      return current.state_case() == W::kIdle ||
             (current.has_tearing_down() &&
              api::SameAttempt(current.tearing_down().key(),
                               desired.tear_down().key()));
    case D::kIdle:
    case D::STATE_NOT_SET:
      return current.state_case() == W::kIdle;
  }
  return false;
}

v1::DesiredState Idle() {
  v1::DesiredState idle;
  idle.mutable_idle();
  return idle;
}

}  // namespace

absl::Status ValidateRequest(const v1::SynchronizeRequest& request) {
  if (absl::Status s = api::ValidateId(request.worker_id(), "worker_id");
      !s.ok()) {
    return s;
  }
  if (request.session_id().empty()) {
    return absl::InvalidArgumentError("session_id is empty");
  }
  if (request.current().state_case() == v1::WorkerState::STATE_NOT_SET) {
    return absl::InvalidArgumentError("current: no state is set");
  }
  if (absl::Status s = api::CheckResultBatch(request); !s.ok()) return s;
  for (int i = 0; i < request.results_size(); ++i) {
    if (request.results(i).worker_id() != request.worker_id()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "results[", i, "].worker_id: '", request.results(i).worker_id(),
          "' is not the caller '", request.worker_id(), "'"));
    }
  }
  return absl::OkStatus();
}

WorkerRegistry::WorkerRegistry(Stores* store, Clock* clock,
                               WorkerRegistryOptions options)
    : store_(store), clock_(clock), options_(options) {
  timer_ = std::thread([this] { TimerLoop(); });
}

WorkerRegistry::~WorkerRegistry() {
  Shutdown();
  timer_.join();
}

absl::Status WorkerRegistry::Recover() {
  absl::StatusOr<std::vector<v1::Worker>> stored =
      store_->workers().ListWorkers();
  if (!stored.ok()) return stored.status();
  const absl::Time deadline = clock_->Wall() + options_.hold + options_.margin;
  absl::MutexLock lock(&mu_);
  for (v1::Worker& worker : *stored) {
    if (!absl::StartsWith(worker.name(), kWorkerNamePrefix)) continue;
    std::string id = worker.name().substr(kWorkerNamePrefix.size());
    Entry& entry = workers_[id];
    if (entry.info.worker_id.empty()) {
      entry.info.worker_id = id;
      entry.info.desired = Idle();
    }
    entry.info.facts = std::move(*worker.mutable_facts());
    entry.info.last_seen = TimeFromProto(worker.last_seen_time());
    // Give it one round to show up before calling it lost.
    entry.info.next_synchronization_time = deadline;
    entry.info.lost = worker.status() == v1::WORKER_STATUS_LOST;
  }
  return absl::OkStatus();
}

void WorkerRegistry::Synchronize(const v1::SynchronizeRequest& request,
                                 absl::Time receive_time,
                                 v1::SynchronizeResponse* response,
                                 Completion done) {
  const std::string& id = request.worker_id();
  v1::HostFacts facts;
  bool refused;
  bool persist;
  // This exchange's clock sample, or the estimate kept from earlier ones.
  std::optional<WorkerClockEstimate> clock;
  absl::StatusOr<std::optional<WorkerClockEstimate>> sampled =
      EstimateWorkerClock(request.previous_clock());
  if (!sampled.ok()) {
    std::cerr << "scalebench-coordinator: dropping a clock sample of worker "
              << id << ": " << sampled.status().message() << "\n";
  } else {
    clock = *sampled;
  }
  std::vector<ResultContext> contexts(
      static_cast<size_t>(request.results_size()));
  {
    absl::MutexLock lock(&mu_);
    refused = shut_down_;
    auto it = workers_.find(id);
    if (!clock.has_value() && it != workers_.end()) {
      clock = it->second.info.clock;
    }
    for (int i = 0; i < request.results_size(); ++i) {
      ResultContext& context = contexts[static_cast<size_t>(i)];
      context.receive_time = receive_time;
      if (clock.has_value()) {
        context.clock_offset = clock->offset;
        context.round_trip = clock->round_trip;
      }
      if (it != workers_.end() && it->second.measure.has_value() &&
          api::SameAttempt(it->second.measure->key(),
                           request.results(i).key())) {
        context.measure = it->second.measure;
      }
    }
    facts = request.has_facts() || it == workers_.end() ? request.facts()
                                                        : it->second.info.facts;
    // The row changes only with these; last_seen alone is refreshed now
    // and then (the registry has the current one).
    persist = it == workers_.end() || request.has_facts() ||
              it->second.info.session_id != request.session_id() ||
              it->second.info.lost ||
              receive_time - it->second.persisted >= options_.persist_interval;
  }
  if (refused) {
    done(absl::UnavailableError("the coordinator is shutting down"));
    return;
  }
  if (persist) {
    if (absl::Status s = store_->workers().UpsertWorker(
            id, request.session_id(), facts, receive_time);
        !s.ok()) {
      done(s);
      return;
    }
  }
  if (request.results_size() > 0) {
    std::vector<v1::WorkerResult> results;
    results.reserve(static_cast<size_t>(request.results_size()));
    for (int i = 0; i < request.results_size(); ++i) {
      const v1::WorkerResult& result = request.results(i);
      if (absl::Status s =
              CheckWorkerResult(result, contexts[static_cast<size_t>(i)]);
          !s.ok()) {
        std::cerr << "scalebench-coordinator: refusing a result of worker "
                  << id << " for "
                  << OneLine(result.key().trial(), kMaxEchoedValueBytes)
                  << " attempt " << result.key().attempt() << ": "
                  << s.message() << "\n";
        results.push_back(RefusedResult(result, s));
      } else {
        results.push_back(result);
      }
    }
    absl::StatusOr<std::vector<absl::StatusOr<bool>>> outcomes =
        StoreResults(results);
    if (!outcomes.ok()) {
      done(outcomes.status());
      return;
    }
    for (int i = 0; i < request.results_size(); ++i) {
      const absl::StatusOr<bool>& stored = (*outcomes)[i];
      // Never storable: an unknown attempt, or one the worker was not
      // placed on.
      const bool dropped =
          !stored.ok() && (absl::IsNotFound(stored.status()) ||
                           absl::IsPermissionDenied(stored.status()));
      if (!stored.ok() && !dropped) {
        done(stored.status());
        return;
      }
      if (dropped) {
        std::cerr << "scalebench-coordinator: dropping a result of worker "
                  << id << ": " << stored.status().message() << "\n";
      }
      v1::ResultAck* ack = response->add_acknowledged();
      *ack->mutable_key() = request.results(i).key();
      ack->set_worker_id(request.results(i).worker_id());
    }
  }

  std::vector<HeldCall> released;
  bool hold = false;
  bool notify = true;
  {
    absl::MutexLock lock(&mu_);
    Entry& entry = workers_[id];
    WorkerInfo& info = entry.info;
    if (info.worker_id.empty()) {
      info.worker_id = id;
      info.desired = Idle();
    }
    if (!info.session_id.empty() && info.session_id != request.session_id()) {
      ++info.restarts;
      restarted_.insert(id);
    }
    info.session_id = request.session_id();
    if (persist) entry.persisted = receive_time;
    info.facts = std::move(facts);
    info.last_seen = receive_time;
    info.next_synchronization_time =
        receive_time + options_.hold + options_.margin;
    info.lost = false;
    // The scheduler need not look again for a worker that only re-polls
    // in the same state (most calls of idle workers).
    notify = persist || response->acknowledged_size() > 0 ||
             info.current.SerializeAsString() !=
                 request.current().SerializeAsString();
    info.current = request.current();
    if (sampled.ok() && sampled->has_value()) info.clock = *sampled;
    // A newer call supersedes a held one (the worker gave up on it).
    if (entry.held.has_value()) released.push_back(Release(entry));
    if (shut_down_) {
      // Shutdown began while the results were stored; they are committed,
      // so answer rather than fail.
      FillResponse(entry, receive_time, response);
    } else if (response->acknowledged_size() > 0 ||
               !Matches(info.desired, info.current)) {
      FillResponse(entry, receive_time, response);
    } else {
      entry.held =
          HeldCall{response, receive_time, clock_->Monotonic() + options_.hold,
                   std::move(done)};
      hold = true;
      wake_.Signal();
    }
  }
  for (HeldCall& call : released) call.done(absl::OkStatus());
  if (!hold) done(absl::OkStatus());
  if (listener_ && notify) listener_();
}

absl::StatusOr<std::vector<absl::StatusOr<bool>>> WorkerRegistry::StoreResults(
    const std::vector<v1::WorkerResult>& results) {
  absl::MutexLock lock(&commit_mu_);
  if (open_batch_ == nullptr) open_batch_ = std::make_shared<ResultBatch>();
  std::shared_ptr<ResultBatch> batch = open_batch_;
  const size_t first = batch->results.size();
  batch->results.insert(batch->results.end(), results.begin(), results.end());
  while (!batch->done) {
    if (!committing_) {
      // Lead: commit everything collected so far (this call's included,
      // unless an earlier leader took it already).
      committing_ = true;
      std::shared_ptr<ResultBatch> taken = std::move(open_batch_);
      open_batch_ = nullptr;
      commit_mu_.Unlock();
      auto outcomes = store_->results().StoreWorkerResults(taken->results);
      commit_mu_.Lock();
      taken->outcomes = std::move(outcomes);
      taken->done = true;
      committing_ = false;
      continue;
    }
    struct Waiting {
      ResultBatch* batch;
      bool* committing;
    } waiting{batch.get(), &committing_};
    commit_mu_.Await(absl::Condition(
        +[](Waiting* w) { return w->batch->done || !*w->committing; },
        &waiting));
  }
  if (!batch->outcomes.ok()) return batch->outcomes.status();
  return std::vector<absl::StatusOr<bool>>(
      batch->outcomes->begin() + static_cast<std::ptrdiff_t>(first),
      batch->outcomes->begin() +
          static_cast<std::ptrdiff_t>(first + results.size()));
}

std::vector<WorkerInfo> WorkerRegistry::List() const {
  std::vector<WorkerInfo> infos;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, entry] : workers_) infos.push_back(entry.info);
  }
  std::sort(infos.begin(), infos.end(),
            [](const WorkerInfo& a, const WorkerInfo& b) {
              return a.worker_id < b.worker_id;
            });
  return infos;
}

std::vector<CandidateHost> WorkerRegistry::LiveHosts() const {
  std::vector<CandidateHost> live;
  for (const WorkerInfo& info : List()) {
    if (!info.session_id.empty() && !info.lost) {
      live.push_back({info.worker_id, info.facts});
    }
  }
  return live;
}

void WorkerRegistry::SetListener(std::function<void()> listener) {
  listener_ = std::move(listener);
}

void WorkerRegistry::SetDesired(const std::string& worker_id,
                                const v1::DesiredState& desired) {
  std::optional<HeldCall> released;
  {
    absl::MutexLock lock(&mu_);
    Entry& entry = workers_[worker_id];
    if (entry.info.worker_id.empty()) {
      entry.info.worker_id = worker_id;
      // Not seen yet: never lost before its first call.
      entry.info.next_synchronization_time = absl::InfiniteFuture();
    }
    entry.info.desired = desired;
    if (desired.has_measure()) entry.measure = desired.measure();
    if (entry.held.has_value() && !Matches(desired, entry.info.current)) {
      released = Release(entry);
    }
  }
  if (released.has_value()) released->done(absl::OkStatus());
}

absl::flat_hash_set<std::string> WorkerRegistry::TakeRestarted() {
  absl::MutexLock lock(&mu_);
  return std::exchange(restarted_, {});
}

absl::flat_hash_set<std::string> WorkerRegistry::ExpireLost(absl::Time now) {
  absl::flat_hash_set<std::string> lost;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [id, entry] : workers_) {
      // A held call is a worker waiting on us, not a silent one.
      if (entry.info.lost || entry.held.has_value()) continue;
      if (entry.info.next_synchronization_time + options_.grace < now) {
        entry.info.lost = true;
        lost.insert(id);
      }
    }
  }
  for (const std::string& id : lost) {
    if (absl::Status s =
            store_->workers().SetWorkerStatus(id, v1::WORKER_STATUS_LOST);
        !s.ok()) {
      std::cerr << "scalebench-coordinator: cannot record worker " << id
                << " as lost: " << s.message() << "\n";
    }
  }
  return lost;
}

std::optional<WorkerInfo> WorkerRegistry::Get(
    const std::string& worker_id) const {
  absl::MutexLock lock(&mu_);
  auto it = workers_.find(worker_id);
  if (it == workers_.end()) return std::nullopt;
  return it->second.info;
}

int WorkerRegistry::TEST_HeldCalls() const {
  absl::MutexLock lock(&mu_);
  int held = 0;
  for (const auto& [id, entry] : workers_) held += entry.held.has_value();
  return held;
}

void WorkerRegistry::Shutdown() {
  std::vector<HeldCall> released;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    for (auto& [id, entry] : workers_) {
      if (!entry.held.has_value()) continue;
      released.push_back(std::move(*entry.held));
      entry.held.reset();
    }
    wake_.SignalAll();
  }
  for (HeldCall& call : released) {
    call.done(absl::UnavailableError("the coordinator is shutting down"));
  }
}

WorkerRegistry::HeldCall WorkerRegistry::Release(Entry& entry) {
  HeldCall call = std::move(*entry.held);
  entry.held.reset();
  FillResponse(entry, call.receive_time, call.response);
  return call;
}

void WorkerRegistry::FillResponse(Entry& entry, absl::Time receive_time,
                                  v1::SynchronizeResponse* response) {
  const absl::Time now = clock_->Wall();
  entry.info.next_synchronization_time = now + options_.hold + options_.margin;
  *response->mutable_desired() = entry.info.desired;
  *response->mutable_next_synchronization_time() =
      TimeToProto(entry.info.next_synchronization_time);
  *response->mutable_receive_time() = TimeToProto(receive_time);
  *response->mutable_transmit_time() = TimeToProto(clock_->Wall());
}

void WorkerRegistry::TimerLoop() {
  absl::MutexLock lock(&mu_);
  while (!shut_down_) {
    const absl::Duration now = clock_->Monotonic();
    absl::Duration next = absl::InfiniteDuration();
    std::vector<HeldCall> released;
    for (auto& [id, entry] : workers_) {
      if (!entry.held.has_value()) continue;
      if (entry.held->deadline <= now) {
        released.push_back(Release(entry));
      } else {
        next = std::min(next, entry.held->deadline);
      }
    }
    if (!released.empty()) {
      mu_.Unlock();
      for (HeldCall& call : released) call.done(absl::OkStatus());
      mu_.Lock();
      continue;
    }
    wake_.WaitWithTimeout(&mu_, std::min(next - now, kTimerPoll));
  }
}

WorkerServiceImpl::WorkerServiceImpl(WorkerRegistry* registry, Clock* clock)
    : registry_(registry), clock_(clock) {
  for (int i = 0; i < kStoreThreads; ++i) {
    threads_.emplace_back([this] { StoreLoop(); });
  }
}

WorkerServiceImpl::~WorkerServiceImpl() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  for (std::thread& thread : threads_) thread.join();
}

void WorkerServiceImpl::StoreLoop() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WorkerServiceImpl* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->stop_ || !s->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // Stopping, and nothing left to run.
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

grpc::ServerUnaryReactor* WorkerServiceImpl::Synchronize(
    grpc::CallbackServerContext* context, const v1::SynchronizeRequest* request,
    v1::SynchronizeResponse* response) {
  const absl::Time receive_time = clock_->Wall();
  const absl::Duration arrival = clock_->Monotonic();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (absl::Status s = ValidateRequest(*request); !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  // Under mutual TLS a worker may synchronize only as the id its
  // certificate names; plaintext peers are loopback-only.
  if (absl::Status s =
          CheckWorkerIdentity(*context->auth_context(), request->worker_id());
      !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  auto run = [this, request, receive_time, response, reactor, arrival] {
    registry_->Synchronize(*request, receive_time, response,
                           [reactor](absl::Status status) {
                             reactor->Finish(ToGrpcStatus(status));
                           });
    if (observer_) observer_(clock_->Monotonic() - arrival);
  };
  if (request->results_size() == 0) {
    run();  // At most a rare worker-row write: no commit to wait for.
    return reactor;
  }
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(run));
  return reactor;
}

grpc::ServerUnaryReactor* WorkerServiceImpl::ExchangeClock(
    grpc::CallbackServerContext* context,
    const v1::ExchangeClockRequest* request,
    v1::ExchangeClockResponse* response) {
  const absl::Time receive_time = clock_->Wall();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status s = api::ValidateId(request->worker_id(), "worker_id");
  if (s.ok()) {
    s = CheckWorkerIdentity(*context->auth_context(), request->worker_id());
  }
  if (!s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  *response->mutable_receive_time() = TimeToProto(receive_time);
  *response->mutable_transmit_time() = TimeToProto(clock_->Wall());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

absl::StatusOr<std::optional<WorkerClockEstimate>> EstimateWorkerClock(
    const v1::ClockSample& s) {
  if (!s.has_t1() || !s.has_t2() || !s.has_t3() || !s.has_t4()) {
    return std::nullopt;
  }
  const absl::Time t1 = TimeFromProto(s.t1()), t2 = TimeFromProto(s.t2()),
                   t3 = TimeFromProto(s.t3()), t4 = TimeFromProto(s.t4());
  const absl::Duration worker = t4 - t1, coordinator = t3 - t2;
  if (worker < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "previous_clock: t4 is ", absl::FormatDuration(-worker), " before t1"));
  }
  if (coordinator < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("previous_clock: t3 is ",
                     absl::FormatDuration(-coordinator), " before t2"));
  }
  if (coordinator > worker) {
    return absl::InvalidArgumentError(absl::StrCat(
        "previous_clock: the round trip is negative (the coordinator held the "
        "call ",
        absl::FormatDuration(coordinator), ", the worker waited only ",
        absl::FormatDuration(worker), ")"));
  }
  return WorkerClockEstimate{((t1 - t2) + (t4 - t3)) / 2, worker - coordinator};
}

}  // namespace scalebench::coordinator
