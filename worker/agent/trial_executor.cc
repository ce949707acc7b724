#include "worker/agent/trial_executor.h"

#include <google/protobuf/util/message_differencer.h>

#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "api/attempt_keys.h"
#include "common/proto_time.h"
#include "results/clock_offsets.h"

namespace scalebench::worker {
namespace {

v1::Failure MakeFailure(v1::FailureKind kind, absl::string_view reason) {
  v1::Failure f;
  f.set_kind(kind);
  f.set_reason(std::string(reason));
  return f;
}

// "http://10.0.0.2:8080/" or "10.0.0.2:8080" to "10.0.0.2:8080".
std::string Endpoint(absl::string_view url) {
  absl::ConsumePrefix(&url, "http://");
  return std::string(url.substr(0, url.find('/')));
}

// How long past T0 the balancer's host keeps watching for first requests.
constexpr absl::Duration kObserveAfterT0 = absl::Seconds(2);

v1::WorkerState Idle() {
  v1::WorkerState state;
  state.mutable_idle();
  return state;
}

// The long poll's estimate as an offset: only when the burst after
// Prepare failed. (Apply runs after the exchange that brought the desired
// state was recorded, so an estimate exists.)
v1::ClockOffset FromLongPoll(const ClockSync& clock, absl::Time now) {
  v1::ClockOffset offset;
  const std::optional<ClockEstimate> estimate = clock.Estimate();
  if (!estimate.has_value()) return offset;
  *offset.mutable_offset() = DurationToProto(estimate->offset);
  *offset.mutable_uncertainty() = DurationToProto(estimate->round_trip / 2);
  *offset.mutable_min_round_trip() = DurationToProto(estimate->round_trip);
  *offset.mutable_max_round_trip() = DurationToProto(estimate->round_trip);
  offset.set_samples(1);
  *offset.mutable_time() = TimeToProto(now);
  return offset;
}

}  // namespace

TrialExecutor::TrialExecutor(TrialRunner* runner, Spool* spool,
                             std::string worker_id, ClockProbe* clock_probe,
                             Clock* clock, ObserverFactory make_observer)
    : runner_(runner),
      spool_(spool),
      worker_id_(std::move(worker_id)),
      clock_probe_(clock_probe),
      clock_(clock),
      make_observer_(std::move(make_observer)) {
  current_ = Idle();
  last_.mutable_idle();
  thread_ = std::thread([this] { Loop(); });
}

TrialExecutor::~TrialExecutor() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
  if (plan_.has_value()) (void)runner_->TearDown(*plan_);
}

void TrialExecutor::Apply(const v1::DesiredState& desired,
                          const ClockSync& clock) {
  absl::MutexLock lock(&mu_);
  if (google::protobuf::util::MessageDifferencer::Equals(desired, last_)) {
    return;
  }
  last_ = desired;
  pending_ = desired;
  if (desired.has_measure()) {
    pending_converted_with_ = prepared_clock_.has_value()
                                  ? *prepared_clock_
                                  : FromLongPoll(clock, clock_->Wall());
    pending_start_ = TimeFromProto(desired.measure().start_time()) -
                     DurationFromProto(pending_converted_with_.offset());
  }
}

v1::WorkerState TrialExecutor::Current() {
  absl::MutexLock lock(&mu_);
  return current_;
}

void TrialExecutor::SetChangeListener(std::function<void()> listener) {
  absl::MutexLock lock(&mu_);
  listener_ = std::move(listener);
}

void TrialExecutor::Loop() {
  while (true) {
    v1::DesiredState desired;
    absl::Time start;
    v1::ClockOffset converted_with;
    std::function<void()> listener;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](TrialExecutor* e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(e->mu_) {
            return e->stop_ || e->pending_.has_value();
          },
          this));
      if (stop_) return;
      desired = *pending_;
      start = pending_start_;
      converted_with = pending_converted_with_;
      pending_.reset();
      // Report the transition at once; the phase takes time.
      if (desired.has_prepare()) {
        current_.Clear();
        *current_.mutable_preparing()->mutable_key() = desired.prepare().key();
      } else if (desired.has_measure()) {
        current_.Clear();
        *current_.mutable_measuring()->mutable_key() = desired.measure().key();
      } else if (plan_.has_value() && prepared_.has_value()) {
        current_.Clear();
        *current_.mutable_tearing_down()->mutable_key() = prepared_->key();
      }
      listener = listener_;
    }
    if (listener) listener();
    v1::WorkerState next;
    if (desired.has_prepare()) {
      next = DoPrepare(desired.prepare());
    } else if (desired.has_measure()) {
      next = DoMeasure(desired.measure(), start, converted_with);
    } else {
      next = DoTearDown();
    }
    {
      absl::MutexLock lock(&mu_);
      current_ = next;
      listener = listener_;
    }
    if (listener) listener();
  }
}

v1::WorkerState TrialExecutor::DoPrepare(
    const v1::DesiredState::Prepare& prepare) {
  if (plan_.has_value() && prepared_.has_value() &&
      api::SameAttempt(prepared_->key(), prepare.key())) {
    // The same attempt again: the second step of a host that balances over
    // other hosts' targets, now that their endpoints are known.
    if (plan_->balancer != nullptr && plan_->balancer_deferred &&
        prepare.has_balancer() && !prepare.balancer().awaiting_endpoints()) {
      TrialTimings timings;
      const std::vector<std::string> endpoints(
          prepare.balancer().endpoints().begin(),
          prepare.balancer().endpoints().end());
      if (std::optional<v1::Failure> failure =
              runner_->StartBalancer(&*plan_, endpoints, &timings)) {
        return Finish(prepare.key(), *failure, std::nullopt);
      }
      prepared_ = prepare;
    }
    return ReadyState();
  }
  if (plan_.has_value()) DoTearDown();
  TrialRequest request;
  request.configuration = prepare.configuration();
  request.configuration.set_instances(prepare.target_count());
  request.configuration.set_balancer(prepare.has_balancer()
                                         ? prepare.balancer().kind()
                                         : v1::BALANCER_KIND_NONE);
  if (prepare.has_balancer()) {
    request.defer_balancer = prepare.balancer().awaiting_endpoints();
    request.configuration.set_algorithm(prepare.balancer().algorithm());
    *request.configuration.mutable_health_check_interval() =
        prepare.balancer().health_check_interval();
    request.balancer_endpoints.assign(prepare.balancer().endpoints().begin(),
                                      prepare.balancer().endpoints().end());
  }
  request.service = prepare.service();
  request.target = prepare.target();
  if (prepare.has_timeout())
    request.prepare_timeout = DurationFromProto(prepare.timeout());
  absl::StatusOr<TrialPlan> plan = runner_->PlanHost(request);
  if (!plan.ok()) {
    return Finish(prepare.key(),
                  MakeFailure(v1::FAILURE_KIND_INVALID_ASSIGNMENT,
                              plan.status().message()),
                  std::nullopt);
  }
  TrialTimings timings;
  if (std::optional<v1::Failure> failure = runner_->Prepare(*plan, &timings)) {
    return Finish(prepare.key(), *failure, std::nullopt);
  }
  plan_ = *std::move(plan);
  prepared_ = prepare;
  // Measured now, when this host's work for the attempt is done and T0 is
  // about to be chosen.
  std::optional<v1::ClockOffset> clock = MeasureClock();
  {
    absl::MutexLock lock(&mu_);
    prepared_clock_ = std::move(clock);
  }
  return ReadyState();
}

std::optional<v1::ClockOffset> TrialExecutor::MeasureClock() {
  absl::StatusOr<v1::ClockOffset> offset = clock_probe_->Burst();
  if (!offset.ok()) {
    std::cerr << "scalebench-worker: measuring the clock offset: "
              << offset.status().message() << "\n";
    return std::nullopt;
  }
  return *std::move(offset);
}

v1::WorkerState TrialExecutor::ReadyState() {
  v1::WorkerState ready;
  *ready.mutable_ready()->mutable_key() = prepared_->key();
  {
    absl::MutexLock lock(&mu_);
    if (prepared_clock_.has_value()) {
      *ready.mutable_ready()->mutable_clock() = *prepared_clock_;
    }
  }
  for (const TargetLaunch& t : plan_->targets) {
    ready.mutable_ready()->add_target_endpoints(
        absl::StrCat(t.listen_address, ":", t.port));
  }
  // A deferred balancer has no endpoint yet: the coordinator waits for it.
  if (plan_->balancer != nullptr && !plan_->balancer_deferred) {
    ready.mutable_ready()->set_balancer_endpoint(
        absl::StrCat(plan_->balancer_launch.listen_address, ":",
                     plan_->balancer_launch.port));
  }
  return ready;
}

v1::WorkerState TrialExecutor::DoMeasure(
    const v1::DesiredState::Measure& measure, absl::Time local_start,
    const v1::ClockOffset& converted_with) {
  Observations seen;
  *seen.clock.mutable_before() = converted_with;
  std::unique_ptr<StartObserver> observer =
      BeginObserving(measure, local_start, &seen);
  const size_t sources = static_cast<size_t>(measure.load_sources_size());
  if (measure.urls().empty()) {
    // A host that only balances: no load, only how busy it was.
    if (!plan_.has_value() || !measure.load().has_duration()) {
      return Finish(measure.key(),
                    MakeFailure(v1::FAILURE_KIND_INVALID_ASSIGNMENT,
                                "measure without urls: only a host that "
                                "was prepared, for a load of fixed "
                                "duration, can observe without sending load"),
                    std::nullopt);
    }
    HostUsage usage = runner_->Observe(
        local_start, DurationFromProto(measure.load().duration()));
    EndObserving(std::move(observer), sources, &seen);
    MeasureClockAfter(&seen.clock);
    return Finish(measure.key(), std::nullopt, std::nullopt, std::move(usage),
                  &seen);
  }
  if (!plan_.has_value()) {
    // A load-generator-only host: plan just the load's cores.
    TrialRequest request;
    absl::StatusOr<TrialPlan> plan = runner_->PlanHost(request);
    if (!plan.ok()) {
      return Finish(measure.key(),
                    MakeFailure(v1::FAILURE_KIND_INVALID_ASSIGNMENT,
                                plan.status().message()),
                    std::nullopt);
    }
    plan_ = *std::move(plan);
  }
  std::vector<std::string> endpoints;
  for (const std::string& url : measure.urls())
    endpoints.push_back(Endpoint(url));
  v1::Configuration configuration =
      prepared_.has_value() ? prepared_->configuration() : v1::Configuration();
  if (!prepared_.has_value()) {
    configuration.set_keepalive(!measure.load().has_keepalive() ||
                                measure.load().keepalive());
  }
  if (absl::Status s = runner_->PlanLoad(measure.load(), configuration,
                                         local_start, endpoints, &*plan_);
      !s.ok()) {
    return Finish(measure.key(),
                  MakeFailure(v1::FAILURE_KIND_INVALID_ASSIGNMENT, s.message()),
                  std::nullopt);
  }
  if (!measure.cpus().cpus().empty()) {
    plan_->load.cpus.assign(measure.cpus().cpus().begin(),
                            measure.cpus().cpus().end());
  }
  HostUsage usage;
  absl::StatusOr<v1::LoadgenResult> result = runner_->Measure(*plan_, &usage);
  EndObserving(std::move(observer), sources, &seen);
  MeasureClockAfter(&seen.clock);
  if (!result.ok()) {
    return Finish(
        measure.key(),
        MakeFailure(v1::FAILURE_KIND_LOADGEN, result.status().message()),
        std::nullopt, {}, &seen);
  }
  result->set_source(worker_id_);
  // The load generator measured its lateness on this host's clock, against
  // the start of load (T0 less the warm-up) converted with
  // `converted_with`; on the coordinator's clock it is that, corrected by
  // how the offset moved until then, within the offset's uncertainty.
  const results::StartSkew skew = results::SkewOnCoordinatorClock(
      DurationFromProto(result->start_skew()), converted_with,
      seen.clock.has_after() ? &seen.clock.after() : nullptr,
      TimeFromProto(measure.start_time()) -
          DurationFromProto(measure.load().warmup()));
  *result->mutable_start_skew() = DurationToProto(skew.skew);
  *result->mutable_start_skew_uncertainty() = DurationToProto(
      skew.uncertainty + DurationFromProto(result->start_skew_uncertainty()));
  std::optional<v1::Failure> failure;
  if (result->has_failure()) failure = result->failure();
  return Finish(measure.key(), failure, *std::move(result), std::move(usage),
                &seen);
}

std::unique_ptr<StartObserver> TrialExecutor::BeginObserving(
    const v1::DesiredState::Measure& measure, absl::Time local_start,
    Observations* seen) {
  if (measure.load_sources().empty() || !make_observer_ || !plan_.has_value() ||
      plan_->balancer == nullptr) {
    return nullptr;
  }
  ObserveRequest request;
  request.listen_address = plan_->balancer_launch.listen_address;
  request.port = static_cast<uint16_t>(plan_->balancer_launch.port);
  request.sources.assign(measure.load_sources().begin(),
                         measure.load_sources().end());
  // Until a while after T0: the first requests come at T0 (or, with a
  // warm-up, before it); the observer stops early once it has them all.
  request.max_wait = std::clamp(local_start - clock_->Wall() + kObserveAfterT0,
                                kObserveAfterT0, kMaxObserveWait);
  std::unique_ptr<StartObserver> observer = make_observer_();
  if (absl::Status s = observer->Begin(request); !s.ok()) {
    seen->observe_failure = std::string(s.message());
    return nullptr;
  }
  return observer;
}

void TrialExecutor::EndObserving(std::unique_ptr<StartObserver> observer,
                                 size_t sources, Observations* seen) {
  if (observer == nullptr) return;
  seen->starts = observer->End();
  if (seen->starts.size() < sources && !observer->capture_status().ok()) {
    seen->observe_failure = std::string(observer->capture_status().message());
  }
}

void TrialExecutor::MeasureClockAfter(v1::WorkerClock* clock) {
  std::optional<v1::ClockOffset> after = MeasureClock();
  if (after.has_value()) *clock->mutable_after() = *std::move(after);
}

v1::WorkerState TrialExecutor::DoTearDown() {
  if (plan_.has_value()) {
    if (absl::Status s = runner_->TearDown(*plan_); !s.ok()) {
      std::cerr << "scalebench-worker: teardown: " << s.message() << "\n";
    }
  }
  plan_.reset();
  prepared_.reset();
  {
    absl::MutexLock lock(&mu_);
    prepared_clock_.reset();
  }
  return Idle();
}

v1::WorkerState TrialExecutor::Finish(const v1::AttemptKey& key,
                                      std::optional<v1::Failure> failure,
                                      std::optional<v1::LoadgenResult> loadgen,
                                      HostUsage usage,
                                      const Observations* seen) {
  v1::WorkerResult result;
  *result.mutable_key() = key;
  result.set_worker_id(worker_id_);
  if (failure.has_value()) *result.mutable_failure() = *failure;
  if (loadgen.has_value()) *result.mutable_loadgen() = *std::move(loadgen);
  if (plan_.has_value())
    *result.mutable_environment() = runner_->Environment(*plan_);
  for (v1::CoreBusy& core : usage.core_busy) {
    *result.add_core_busy() = std::move(core);
  }
  if (usage.cpu_quota.has_value()) {
    *result.mutable_cpu_quota() = *std::move(usage.cpu_quota);
  }
  if (seen != nullptr) {
    *result.mutable_clock() = seen->clock;
    for (const v1::ObservedStart& start : seen->starts) {
      *result.add_observed_starts() = start;
    }
    result.set_observe_failure(seen->observe_failure);
  }
  if (absl::Status s = spool_->Store(result); !s.ok()) {
    // Without the spool the result would be lost: say so loudly; the
    // coordinator's timeout fails the attempt.
    std::cerr << "scalebench-worker: cannot spool the result of " << key.trial()
              << ": " << s.message() << "\n";
  }
  if (result_observer_) result_observer_(result);
  v1::WorkerState finished;
  *finished.mutable_finished()->mutable_key() = key;
  return finished;
}

}  // namespace scalebench::worker
