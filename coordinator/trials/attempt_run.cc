#include "coordinator/trials/attempt_run.h"

#include <algorithm>
#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "api/attempt_keys.h"
#include "api/enum_names.h"
#include "api/resource_names.h"
#include "common/proto_time.h"
#include "results/clock_offsets.h"
#include "results/errors.h"
#include "results/trial_result.h"
#include "spec/defaults.h"

namespace scalebench::coordinator {
namespace {

v1::DesiredState IdleState() {
  v1::DesiredState idle;
  idle.mutable_idle();
  return idle;
}

}  // namespace

std::string AttemptLabel(const v1::AttemptKey& key) {
  absl::StatusOr<api::TrialRef> ref = api::ParseTrialName(key.trial());
  return absl::StrCat("trial ",
                      ref.ok() ? absl::StrCat(ref->trial) : key.trial(),
                      " attempt ", key.attempt());
}

bool Retryable(v1::FailureKind kind) {
  return kind != v1::FAILURE_KIND_INVALID_ASSIGNMENT &&
         kind != v1::FAILURE_KIND_ERRORS && kind != v1::FAILURE_KIND_CANCELLED;
}

bool CountsAgainstRetries(v1::FailureKind kind) {
  return kind != v1::FAILURE_KIND_COORDINATOR_RESTARTED;
}

v1::TrialState AfterFailure(const v1::Failure& failure,
                            const std::vector<v1::Attempt>& attempts,
                            uint32_t max_attempts) {
  if (failure.kind() == v1::FAILURE_KIND_CANCELLED) {
    return v1::TRIAL_STATE_CANCELLED;
  }
  if (!Retryable(failure.kind())) return v1::TRIAL_STATE_FAILED;
  uint32_t counted = CountsAgainstRetries(failure.kind()) ? 1 : 0;
  // Every attempt but the last (the one failing now) has its failure.
  for (size_t i = 0; i + 1 < attempts.size(); ++i) {
    if (attempts[i].has_failure() &&
        CountsAgainstRetries(attempts[i].failure().kind())) {
      ++counted;
    }
  }
  return counted >= max_attempts ? v1::TRIAL_STATE_FAILED
                                 : v1::TRIAL_STATE_QUEUED;
}

AttemptRun::AttemptRun(v1::AttemptKey key, v1::ExperimentSpec spec,
                       v1::Configuration configuration, uint32_t repetition,
                       Placement placement, std::vector<v1::Attempt> attempts,
                       Stores* store, WorkerRegistry* registry, Clock* clock,
                       AttemptTimeouts timeouts)
    : key_(std::move(key)),
      spec_(std::move(spec)),
      configuration_(std::move(configuration)),
      repetition_(repetition),
      placement_(std::move(placement)),
      attempts_(std::move(attempts)),
      store_(store),
      registry_(registry),
      clock_(clock),
      timeouts_(timeouts) {
  BeginPrepare();
}

absl::Status AttemptRun::Step(const absl::flat_hash_set<std::string>& restarted,
                              bool cancelled) {
  if (unrecorded_failure_.has_value()) return Fail(*unrecorded_failure_);
  if (phase_ == Phase::kDone) return absl::OkStatus();
  if (phase_ == Phase::kTearDown) {
    StepTearDown();
    return absl::OkStatus();
  }
  current_.clear();
  for (const HostRoles& host : placement_.hosts) {
    std::optional<WorkerInfo> info = registry_->Get(host.worker_id);
    if (!info.has_value() || info->lost) {
      return Fail(v1::FAILURE_KIND_WORKER_LOST,
                  absl::StrCat("worker ", host.worker_id,
                               " stopped synchronizing during ", PhaseName()));
    }
    if (restarted.contains(host.worker_id)) {
      return Fail(v1::FAILURE_KIND_WORKER_RESTARTED,
                  absl::StrCat("worker ", host.worker_id, " restarted during ",
                               PhaseName(), "; what it ran is gone"));
    }
    current_[host.worker_id] = info->current;
  }
  if (cancelled) {
    return Fail(
        v1::FAILURE_KIND_CANCELLED,
        absl::StrCat("the experiment was cancelled during ", PhaseName()));
  }
  switch (phase_) {
    case Phase::kPrepare:
      return StepPrepare();
    case Phase::kBalance:
      return StepBalance();
    case Phase::kMeasure:
      return StepMeasure();
    case Phase::kCollect:
      return StepCollect();
    default:
      return absl::OkStatus();
  }
}

bool AttemptRun::Reports(const HostRoles& host,
                         v1::WorkerState::StateCase state) const {
  auto it = current_.find(host.worker_id);
  if (it == current_.end() || it->second.state_case() != state) return false;
  const v1::AttemptKey* key = api::ReportedAttempt(it->second);
  return key != nullptr && api::SameAttempt(*key, key_);
}

std::string AttemptRun::Label() const { return AttemptLabel(key_); }

std::string AttemptRun::PhaseName() const {
  switch (phase_) {
    case Phase::kPrepare:
      return "prepare";
    case Phase::kBalance:
      return "balance";
    case Phase::kMeasure:
      return "measure";
    case Phase::kCollect:
      return "collect";
    case Phase::kTearDown:
      return "teardown";
    case Phase::kDone:
      return "done";
  }
  return "?";
}

void AttemptRun::SetPhase(Phase phase, absl::Duration timeout) {
  phase_ = phase;
  phase_timeout_ = timeout;
  phase_deadline_ = clock_->Monotonic() + timeout;
}

v1::DesiredState::Prepare AttemptRun::PrepareFor(const HostRoles& host,
                                                 bool with_endpoints) const {
  v1::DesiredState::Prepare prepare;
  *prepare.mutable_key() = key_;
  *prepare.mutable_configuration() = configuration_;
  *prepare.mutable_service() = spec_.service();
  *prepare.mutable_target() = spec::ResolvedTarget(spec_, configuration_);
  prepare.set_target_count(host.targets);
  *prepare.mutable_timeout() = spec_.timeouts().prepare();
  if (host.balancer) {
    v1::BalancerAssignment& b = *prepare.mutable_balancer();
    b.set_kind(configuration_.balancer());
    b.set_algorithm(configuration_.algorithm());
    *b.mutable_health_check_interval() = configuration_.health_check_interval();
    if (MultiHost()) {
      // In front of every host's targets: their endpoints, in host order,
      // once all are known; until then the host starts its targets only.
      b.set_awaiting_endpoints(!with_endpoints);
      if (with_endpoints) {
        for (const HostRoles& target : placement_.hosts) {
          auto it = targets_.find(target.worker_id);
          if (it == targets_.end()) continue;
          for (const std::string& endpoint : it->second) {
            b.add_endpoints(endpoint);
          }
        }
      }
    }
  }
  return prepare;
}

bool AttemptRun::MultiHost() const { return placement_.hosts.size() > 1; }

bool AttemptRun::Measures(const HostRoles& host) const {
  return host.loadgen || (host.balancer && spec_.loadgen().has_duration());
}

void AttemptRun::BeginPrepare() {
  absl::Duration timeout =
      DurationFromProto(spec_.timeouts().prepare()) + timeouts_.slack;
  for (const HostRoles& host : placement_.hosts) {
    // One host starts its balancer in the same step.
    if (host.balancer && !MultiHost()) {
      timeout += DurationFromProto(spec_.timeouts().balance());
    }
    v1::DesiredState desired;
    *desired.mutable_prepare() = PrepareFor(host, /*with_endpoints=*/false);
    registry_->SetDesired(host.worker_id, desired);
  }
  SetPhase(Phase::kPrepare, timeout);
}

absl::StatusOr<std::optional<v1::Failure>> AttemptRun::StoredFailure(
    const std::string& worker_id) {
  absl::StatusOr<std::vector<v1::WorkerResult>> results =
      store_->results().ListWorkerResults(key_);
  if (!results.ok()) return results.status();
  for (const v1::WorkerResult& result : *results) {
    if (result.worker_id() != worker_id) continue;
    if (!result.has_failure()) return std::optional<v1::Failure>();
    v1::Failure failure = result.failure();
    failure.set_reason(
        absl::StrCat("worker ", worker_id, ": ", failure.reason()));
    return std::optional<v1::Failure>(std::move(failure));
  }
  return std::optional<v1::Failure>();
}

absl::Status AttemptRun::StepPrepare() {
  std::vector<std::string> waiting;
  for (const HostRoles& host : placement_.hosts) {
    if (Reports(host, v1::WorkerState::kFinished)) {
      // The executor reports finished during prepare only after a failure,
      // whose result it sent with that report.
      absl::StatusOr<std::optional<v1::Failure>> failure =
          StoredFailure(host.worker_id);
      if (!failure.ok()) return failure.status();
      if (failure->has_value()) return Fail(**failure);
      return Fail(v1::FAILURE_KIND_INTERNAL,
                  absl::StrCat("worker ", host.worker_id,
                               " finished during prepare without a failure"));
    }
    if (Reports(host, v1::WorkerState::kReady)) {
      const v1::WorkerState::Ready& ready = current_[host.worker_id].ready();
      targets_[host.worker_id].assign(ready.target_endpoints().begin(),
                                      ready.target_endpoints().end());
      if (host.balancer) balancer_endpoint_ = ready.balancer_endpoint();
      continue;
    }
    waiting.push_back(host.worker_id);
  }
  if (waiting.empty()) {
    if (placement_.BalancerHost() != nullptr && MultiHost()) {
      BeginBalance();
      return absl::OkStatus();
    }
    return BeginMeasure();
  }
  if (clock_->Monotonic() > phase_deadline_) {
    return Fail(v1::FAILURE_KIND_TIMEOUT,
                absl::StrCat("prepare: ", absl::StrJoin(waiting, ", "),
                             " not ready within ",
                             absl::FormatDuration(phase_timeout_)));
  }
  return absl::OkStatus();
}

void AttemptRun::BeginBalance() {
  const HostRoles* front = placement_.BalancerHost();
  v1::DesiredState desired;
  *desired.mutable_prepare() = PrepareFor(*front, /*with_endpoints=*/true);
  registry_->SetDesired(front->worker_id, desired);
  SetPhase(Phase::kBalance,
           DurationFromProto(spec_.timeouts().balance()) + timeouts_.slack);
}

absl::Status AttemptRun::StepBalance() {
  const HostRoles& front = *placement_.BalancerHost();
  if (Reports(front, v1::WorkerState::kFinished)) {
    absl::StatusOr<std::optional<v1::Failure>> failure =
        StoredFailure(front.worker_id);
    if (!failure.ok()) return failure.status();
    if (failure->has_value()) return Fail(**failure);
    return Fail(v1::FAILURE_KIND_INTERNAL,
                absl::StrCat("worker ", front.worker_id,
                             " finished during balance without a failure"));
  }
  // Ready with a balancer endpoint: the balancer answers (until then the
  // host may still report the Ready of its targets alone).
  if (Reports(front, v1::WorkerState::kReady) &&
      !current_[front.worker_id].ready().balancer_endpoint().empty()) {
    balancer_endpoint_ = current_[front.worker_id].ready().balancer_endpoint();
    return BeginMeasure();
  }
  if (clock_->Monotonic() > phase_deadline_) {
    return Fail(v1::FAILURE_KIND_TIMEOUT,
                absl::StrCat("balance: ", front.worker_id, " not ready within ",
                             absl::FormatDuration(phase_timeout_)));
  }
  return absl::OkStatus();
}

absl::Status AttemptRun::BeginMeasure() {
  if (absl::Status s = store_->trials().SetTrialState(
          key_.trial(), v1::TRIAL_STATE_MEASURING,
          absl::StrCat(Label(), ": every host is ready; measuring"));
      !s.ok()) {
    return s;  // Still in its phase; the next step tries again.
  }
  const v1::LoadSpec load = spec::ResolvedLoad(spec_, configuration_);
  const absl::Duration lead = StartLead();
  start_time_ = clock_->Wall() + lead;
  for (const HostRoles& host : placement_.hosts) {
    if (!Measures(host)) continue;
    v1::DesiredState desired;
    v1::DesiredState::Measure& measure = *desired.mutable_measure();
    *measure.mutable_key() = key_;
    *measure.mutable_load() = load;
    *measure.mutable_start_time() = TimeToProto(*start_time_);
    // Their first requests mark their starts when load begins at T0, or
    // at T0 - warm-up on every host alike; not when a warm-up longer than
    // the lead starts each host's load on arrival.
    if (host.balancer && HasBalancer(configuration_) &&
        DurationFromProto(load.warmup()) < lead) {
      AddLoadSources(&measure);
    }
    // A host that only balances gets no urls: it observes its cores.
    if (host.loadgen && HasBalancer(configuration_)) {
      measure.add_urls(absl::StrCat("http://", balancer_endpoint_, "/"));
    } else if (host.loadgen) {
      for (const std::string& endpoint : targets_[host.worker_id]) {
        measure.add_urls(absl::StrCat("http://", endpoint, "/"));
      }
    }
    registry_->SetDesired(host.worker_id, desired);
  }
  const absl::Duration length = load.has_duration()
                                    ? DurationFromProto(load.duration())
                                    : timeouts_.request_count_run;
  SetPhase(Phase::kMeasure, lead + DurationFromProto(load.warmup()) + length +
                                DurationFromProto(load.timeout()) +
                                timeouts_.slack);
  return absl::OkStatus();
}

absl::Duration AttemptRun::StartLead() const {
  absl::Duration longest = absl::ZeroDuration();
  for (const HostRoles& host : placement_.hosts) {
    auto it = current_.find(host.worker_id);
    if (it == current_.end() || !it->second.has_ready()) continue;
    longest = std::max(
        longest,
        DurationFromProto(it->second.ready().clock().max_round_trip()));
  }
  // A worker's figure bounds only its own wait: at most kMaxDeliveryWait.
  return DurationFromProto(spec_.timeouts().start_lead()) +
         std::min(2 * longest, kMaxDeliveryWait);
}

void AttemptRun::AddLoadSources(v1::DesiredState::Measure* measure) const {
  // One load generator has no spread to observe.
  if (std::count_if(placement_.hosts.begin(), placement_.hosts.end(),
                    [](const HostRoles& host) { return host.loadgen; }) < 2) {
    return;
  }
  for (const HostRoles& host : placement_.hosts) {
    if (!host.loadgen) continue;
    v1::LoadSource& source = *measure->add_load_sources();
    source.set_worker_id(host.worker_id);
    if (std::optional<WorkerInfo> info = registry_->Get(host.worker_id)) {
      *source.mutable_addresses() = info->facts.addresses();
    }
  }
}

absl::Status AttemptRun::StepMeasure() {
  std::vector<std::string> waiting;
  for (const HostRoles& host : placement_.hosts) {
    if (Measures(host) && !Reports(host, v1::WorkerState::kFinished)) {
      waiting.push_back(host.worker_id);
    }
  }
  if (waiting.empty()) {
    if (absl::Status s = store_->trials().SetTrialState(
            key_.trial(), v1::TRIAL_STATE_COLLECTING,
            absl::StrCat(Label(), ": measured; collecting results"));
        !s.ok()) {
      return s;
    }
    SetPhase(Phase::kCollect,
             DurationFromProto(spec_.timeouts().collect()) + timeouts_.slack);
    return StepCollect();
  }
  if (clock_->Monotonic() > phase_deadline_) {
    return Fail(v1::FAILURE_KIND_TIMEOUT,
                absl::StrCat("measure: ", absl::StrJoin(waiting, ", "),
                             " not finished within ",
                             absl::FormatDuration(phase_timeout_)));
  }
  return absl::OkStatus();
}

absl::Status AttemptRun::StepCollect() {
  absl::StatusOr<std::vector<v1::WorkerResult>> results =
      store_->results().ListWorkerResults(key_);
  if (!results.ok()) return results.status();
  absl::flat_hash_map<std::string, const v1::WorkerResult*> by_worker;
  for (const v1::WorkerResult& result : *results) {
    if (result.has_failure()) {
      v1::Failure failure = result.failure();
      failure.set_reason(
          absl::StrCat("worker ", result.worker_id(), ": ", failure.reason()));
      return Fail(std::move(failure));
    }
    by_worker[result.worker_id()] = &result;
  }
  std::vector<v1::WorkerResult> raw;
  std::vector<std::string> missing;
  for (const HostRoles& host : placement_.hosts) {
    if (!Measures(host)) continue;
    auto it = by_worker.find(host.worker_id);
    if (it == by_worker.end()) {
      missing.push_back(host.worker_id);
    } else {
      raw.push_back(*it->second);
    }
  }
  if (!missing.empty()) {
    if (clock_->Monotonic() > phase_deadline_) {
      return Fail(
          v1::FAILURE_KIND_TIMEOUT,
          absl::StrCat("collect: no result from ", absl::StrJoin(missing, ", "),
                       " within ", absl::FormatDuration(phase_timeout_)));
    }
    return absl::OkStatus();
  }
  // A clock that moved during the attempt may have started its load at
  // the wrong instant: that host's start cannot be trusted.
  for (const v1::WorkerResult& result : raw) {
    if (std::optional<std::string> reason =
            results::ClockStepReason(result.worker_id(), result.clock())) {
      return Fail(v1::FAILURE_KIND_CLOCK_STEP, *std::move(reason));
    }
  }
  absl::StatusOr<v1::TrialResult> merged = results::MakeTrialResult(
      key_, configuration_, repetition_, std::move(raw));
  if (!merged.ok()) {
    return Fail(v1::FAILURE_KIND_INTERNAL,
                absl::StrCat("collect: the results do not merge: ",
                             merged.status().message()));
  }
  // A window in which nothing completed or failed measured a stall (of the
  // service or the load generator), not the service: retried.
  if (results::Sent(merged->merged()) == 0) {
    return Fail(v1::FAILURE_KIND_LOADGEN,
                "no request completed or failed in the window: the service "
                "or the load generator stalled for all of it");
  }
  // Errors are never throughput: too many, or no success at all, and the
  // attempt has no result to report.
  if (std::optional<std::string> reason = results::ExcessErrorsReason(
          merged->merged(),
          spec::ResolvedLoad(spec_, configuration_).max_error_rate())) {
    return Fail(v1::FAILURE_KIND_ERRORS, *std::move(reason));
  }
  if (start_time_.has_value()) {
    *merged->mutable_start_time() = TimeToProto(*start_time_);
  }
  if (absl::Status s = store_->trials().EndAttempt(
          key_, std::nullopt, &*merged, v1::TRIAL_STATE_SUCCEEDED,
          absl::StrCat(absl::StrFormat("%s succeeded: %.0f requests/s", Label(),
                                       merged->requests_per_s()),
                       merged->error_rate() > 0
                           ? absl::StrFormat(", %.3g%% of requests failed",
                                             merged->error_rate() * 100)
                           : ""));
      !s.ok()) {
    return s;
  }
  BeginTearDown();
  return absl::OkStatus();
}

absl::Status AttemptRun::Fail(v1::FailureKind kind, std::string reason) {
  v1::Failure failure;
  failure.set_kind(kind);
  failure.set_reason(std::move(reason));
  return Fail(std::move(failure));
}

absl::Status AttemptRun::Fail(v1::Failure failure) {
  const v1::TrialState next =
      AfterFailure(failure, attempts_, spec_.retry().max_attempts());
  std::string message =
      absl::StrCat(Label(), " failed (", api::EnumName(failure.kind()),
                   "): ", failure.reason());
  if (next == v1::TRIAL_STATE_QUEUED) {
    absl::StrAppend(&message, "; retrying on a fresh placement");
  } else if (next == v1::TRIAL_STATE_FAILED) {
    absl::StrAppend(&message, "; the trial failed");
  }
  absl::Status s =
      store_->trials().EndAttempt(key_, failure, nullptr, next, message);
  if (!s.ok() && !absl::IsFailedPrecondition(s)) {
    // Try again at the next step; the hosts keep what they run meanwhile.
    unrecorded_failure_ = std::move(failure);
    return s;
  }
  // FAILED_PRECONDITION: the trial ended otherwise (cancelled); nothing to
  // record.
  unrecorded_failure_.reset();
  if (phase_ != Phase::kTearDown && phase_ != Phase::kDone) BeginTearDown();
  return absl::OkStatus();
}

void AttemptRun::BeginTearDown() {
  for (const HostRoles& host : placement_.hosts) {
    registry_->SetDesired(host.worker_id, IdleState());
  }
  SetPhase(Phase::kTearDown, timeouts_.teardown);
}

void AttemptRun::StepTearDown() {
  std::vector<std::string> busy;
  for (const HostRoles& host : placement_.hosts) {
    std::optional<WorkerInfo> info = registry_->Get(host.worker_id);
    if (!info.has_value() || info->lost || info->current.has_idle()) continue;
    busy.push_back(host.worker_id);
  }
  if (!busy.empty() && clock_->Monotonic() <= phase_deadline_) return;
  if (!busy.empty()) {
    std::cerr << "scalebench-coordinator: " << absl::StrJoin(busy, ", ")
              << " did not report idle within "
              << absl::FormatDuration(phase_timeout_) << " after "
              << key_.trial() << "; releasing them\n";
  }
  phase_ = Phase::kDone;
}

}  // namespace scalebench::coordinator
