// One attempt of one trial, driven through its phases: prepare (every
// target host starts its targets; a single host also its balancer),
// balance (with several hosts, the balancer's host starts it in front of
// every host's endpoints), measure (every target host's load generator
// starts at T0 = now + the lead (StartLead), on the coordinator's clock,
// which each worker converts through the offset it measured before
// reporting Ready; a host that only balances measures how busy its cores
// are over the same window, and records when each load generator's first
// request reached it), collect (the hosts' results are checked for a clock
// that moved during the attempt, merged exactly and stored with the
// trial and T0), and tear down (every host back to idle). Each phase has a
// deadline; a lost or restarted host, a failure a host reports, a missed
// deadline or a cancel ends the attempt as failed, and the trial goes back
// to the queue (a fresh placement) or fails, by the failure's kind and the
// spec's retry budget. Every step that changes the store is one of its
// transactions, so a crash leaves the attempt either running or ended.
// Thread-compatible: the scheduler's thread drives it.
#ifndef SCALEBENCH_COORDINATOR_TRIALS_ATTEMPT_RUN_H_
#define SCALEBENCH_COORDINATOR_TRIALS_ATTEMPT_RUN_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "coordinator/rpc/worker_service.h"
#include "coordinator/store/stores.h"
#include "coordinator/trials/placement.h"
#include "scalebench/v1/coordinator.pb.h"

namespace scalebench::coordinator {

struct AttemptTimeouts {
  // Added to every phase's own timeout for the exchanges that carry the
  // news (a long poll is interrupted when a worker's state changes, but a
  // call may be in flight). Default 10 s.
  absl::Duration slack = absl::Seconds(10);
  // How long hosts get to report idle after an attempt; a host that does
  // not is released anyway (its next Prepare tears down first).
  absl::Duration teardown = absl::Seconds(60);
  // A measurement given as a request count has no duration: its deadline
  // is this much after T0 (plus warm-up and the request timeout).
  absl::Duration request_count_run = absl::Minutes(10);
};

// The most the lead before T0 grows for the hosts' round trips.
inline constexpr absl::Duration kMaxDeliveryWait = absl::Seconds(10);

// "trial 3 attempt 1": how events name an attempt.
std::string AttemptLabel(const v1::AttemptKey& key);

// Whether a failure of this kind is worth another attempt on a fresh
// placement: everything but an assignment no host can carry out and a
// cancel.
bool Retryable(v1::FailureKind kind);

// Whether a failure of this kind uses up one of the trial's attempts: all
// but a coordinator restart, which is not the trial's doing.
bool CountsAgainstRetries(v1::FailureKind kind);

// What the trial becomes after its attempt failed with `failure`, given
// its attempts so far (this one included) and `max_attempts`: QUEUED for
// another attempt, or FAILED.
v1::TrialState AfterFailure(const v1::Failure& failure,
                            const std::vector<v1::Attempt>& attempts,
                            uint32_t max_attempts);

class AttemptRun final {
 public:
  enum class Phase { kPrepare, kBalance, kMeasure, kCollect, kTearDown, kDone };

  // The attempt `key` (already started in the store) of a trial of
  // `configuration`, repetition `repetition`, in an experiment whose spec
  // (with defaults written out) is `spec`, on `placement`. `attempts` are
  // the trial's attempts so far, this one included. The pointers outlive
  // the run. Sends the prepare phase's desired states.
  AttemptRun(v1::AttemptKey key, v1::ExperimentSpec spec,
             v1::Configuration configuration, uint32_t repetition,
             Placement placement, std::vector<v1::Attempt> attempts,
             Stores* store, WorkerRegistry* registry, Clock* clock,
             AttemptTimeouts timeouts);

  AttemptRun(const AttemptRun&) = delete;
  AttemptRun& operator=(const AttemptRun&) = delete;

  // Moves the attempt as far as the hosts' reported states, the store and
  // the clock allow. `restarted`: hosts whose session changed since the
  // last step. `cancelled`: the experiment is being cancelled. A store
  // error leaves the attempt where it was, to be tried again next step;
  // it is returned for the log.
  absl::Status Step(const absl::flat_hash_set<std::string>& restarted,
                    bool cancelled);

  Phase phase() const { return phase_; }
  bool done() const { return phase_ == Phase::kDone; }
  const v1::AttemptKey& key() const { return key_; }
  const Placement& placement() const { return placement_; }
  // T0 on the coordinator's clock, once the measure phase began.
  std::optional<absl::Time> start_time() const { return start_time_; }

 private:
  // The phase's work; each returns a store error or OK.
  absl::Status StepPrepare();
  absl::Status StepBalance();
  absl::Status StepMeasure();
  absl::Status StepCollect();
  void StepTearDown();

  void BeginPrepare();
  void BeginBalance();
  absl::Status BeginMeasure();
  void BeginTearDown();
  // Ends the attempt with `failure` (one store transaction, retried by
  // later steps until it commits), then tears down.
  absl::Status Fail(v1::FailureKind kind, std::string reason);
  absl::Status Fail(v1::Failure failure);
  // The failure `worker_id` reported for this attempt, from its stored
  // result; nullopt when none is stored.
  absl::StatusOr<std::optional<v1::Failure>> StoredFailure(
      const std::string& worker_id);

  // What `host` is told to prepare; a multi-host balancer gets every
  // endpoint only `with_endpoints` (the balance phase).
  v1::DesiredState::Prepare PrepareFor(const HostRoles& host,
                                       bool with_endpoints) const;
  // More than one host: the balancer waits for every host's targets.
  bool MultiHost() const;
  // From choosing T0 to T0: the spec's start_lead (the time a host needs
  // to set up its load generator once T0 reaches it) plus the time T0
  // takes to reach the farthest host: twice the longest round trip of the
  // hosts' clock bursts (its held poll answered, or a poll made anew),
  // capped at kMaxDeliveryWait.
  absl::Duration StartLead() const;
  // The load-generating hosts and their addresses, for the balancer's
  // host to observe their first requests; none with fewer than two.
  void AddLoadSources(v1::DesiredState::Measure* measure) const;
  // Whether `host` reports a result of the measurement: its load
  // generator's, or on a host that only balances how busy its cores were
  // (for a load of fixed duration: a request count gives no window).
  bool Measures(const HostRoles& host) const;
  void SetPhase(Phase phase, absl::Duration timeout);
  bool Reports(const HostRoles& host, v1::WorkerState::StateCase state) const;
  std::string PhaseName() const;
  std::string Label() const;

  const v1::AttemptKey key_;
  const v1::ExperimentSpec spec_;
  const v1::Configuration configuration_;
  const uint32_t repetition_;
  const Placement placement_;
  std::vector<v1::Attempt> attempts_;
  Stores* const store_;
  WorkerRegistry* const registry_;
  Clock* const clock_;
  const AttemptTimeouts timeouts_;

  Phase phase_ = Phase::kPrepare;
  absl::Duration phase_timeout_;
  absl::Duration phase_deadline_;  // On clock_->Monotonic().
  // The workers' current states, read once per step.
  absl::flat_hash_map<std::string, v1::WorkerState> current_;
  // host:port of each target host's targets, and of the balancer.
  absl::flat_hash_map<std::string, std::vector<std::string>> targets_;
  std::string balancer_endpoint_;
  std::optional<absl::Time> start_time_;
  // Set when the attempt failed but the store has not yet recorded it.
  std::optional<v1::Failure> unrecorded_failure_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_TRIALS_ATTEMPT_RUN_H_
