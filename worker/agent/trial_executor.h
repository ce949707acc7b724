// Carries out the coordinator's desired states on this host with a
// TrialRunner: Prepare starts this host's targets (and balancer), measures
// this host's clock against the coordinator's (a ClockProbe burst) and
// reports Ready with their endpoints and that offset; Measure runs the
// load generator at T0 converted to this host's clock with that offset,
// measures the clock again, states the start skew on the coordinator's
// clock with its uncertainty, and spools the result (with both offsets)
// before reporting Finished; on the balancer's host, Measure also records
// when each load-generating host's first request arrived (StartObserver);
// TearDown and Idle stop everything. A failure in any phase is spooled as a
// result with its Failure, never an RPC error. The work runs on one background
// thread, always on the newest desired state. Thread-safe.
#ifndef SCALEBENCH_WORKER_AGENT_TRIAL_EXECUTOR_H_
#define SCALEBENCH_WORKER_AGENT_TRIAL_EXECUTOR_H_

#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "worker/agent/assignment_executor.h"
#include "worker/agent/clock_burst.h"
#include "worker/agent/trial_runner.h"
#include "worker/observe/start_observer.h"
#include "worker/spool.h"

namespace scalebench::worker {

class TrialExecutor final : public AssignmentExecutor {
 public:
  // A new observer for each observation (StartObserver begins once).
  using ObserverFactory = std::function<std::unique_ptr<StartObserver>()>;

  // `runner`, `spool`, `clock_probe` and `clock` outlive the executor.
  // Without `make_observer`, a balancer's host observes nothing.
  TrialExecutor(TrialRunner* runner, Spool* spool, std::string worker_id,
                ClockProbe* clock_probe, Clock* clock,
                ObserverFactory make_observer = nullptr);
  // Stops the background thread and tears down what runs.
  ~TrialExecutor() override;

  TrialExecutor(const TrialExecutor&) = delete;
  TrialExecutor& operator=(const TrialExecutor&) = delete;

  void Apply(const v1::DesiredState& desired, const ClockSync& clock) override;
  v1::WorkerState Current() override;

  // Called on the executor's thread, outside its lock, each time the
  // current state changes, so the Synchronize client can report it at
  // once instead of after its long poll.
  void SetChangeListener(std::function<void()> listener);

  // Called on the executor's thread with each result once it is spooled
  // (for the worker's metrics). Set before the first Apply.
  void SetResultObserver(
      std::function<void(const v1::WorkerResult&)> observer) {
    result_observer_ = std::move(observer);
  }

 private:
  void Loop();
  // Each returns the state to report next.
  v1::WorkerState DoPrepare(const v1::DesiredState::Prepare& prepare);
  // What a Measure learned besides the load: this host's clock over the
  // attempt and, on the balancer's host, the first requests it observed.
  struct Observations {
    v1::WorkerClock clock;
    std::vector<v1::ObservedStart> starts;
    std::string observe_failure;
  };
  v1::WorkerState DoMeasure(const v1::DesiredState::Measure& measure,
                            absl::Time local_start,
                            const v1::ClockOffset& converted_with);
  // On the balancer's host told its load sources: an observer capturing
  // from now until shortly after T0 (`local_start`); null otherwise, or
  // when it cannot capture (then `seen->observe_failure` says why).
  std::unique_ptr<StartObserver> BeginObserving(
      const v1::DesiredState::Measure& measure, absl::Time local_start,
      Observations* seen);
  // Ends `observer` (may be null) into `seen`.
  static void EndObserving(std::unique_ptr<StartObserver> observer,
                           size_t sources, Observations* seen);
  // A burst of clock exchanges; nullopt (and a log line) when none
  // answered.
  std::optional<v1::ClockOffset> MeasureClock();
  // The burst after the window, into clock->after when one answered.
  void MeasureClockAfter(v1::WorkerClock* clock);
  v1::WorkerState DoTearDown();
  // Ready with the prepared attempt's endpoints; needs plan_ and prepared_.
  v1::WorkerState ReadyState();
  v1::WorkerState Finish(const v1::AttemptKey& key,
                         std::optional<v1::Failure> failure,
                         std::optional<v1::LoadgenResult> loadgen,
                         HostUsage usage = {},
                         const Observations* seen = nullptr);

  TrialRunner* runner_;
  Spool* spool_;
  const std::string worker_id_;
  ClockProbe* const clock_probe_;
  Clock* const clock_;
  const ObserverFactory make_observer_;

  absl::Mutex mu_;
  // The newest desired state not yet acted on; for a Measure, T0 on this
  // host's clock and the offset it was converted with.
  std::optional<v1::DesiredState> pending_ ABSL_GUARDED_BY(mu_);
  absl::Time pending_start_ ABSL_GUARDED_BY(mu_);
  v1::ClockOffset pending_converted_with_ ABSL_GUARDED_BY(mu_);
  // The offset the burst after the last Prepare measured (reported with
  // Ready); unset before one, or when no exchange answered.
  std::optional<v1::ClockOffset> prepared_clock_ ABSL_GUARDED_BY(mu_);
  // The last desired state acted on or queued, to ignore repeats.
  v1::DesiredState last_ ABSL_GUARDED_BY(mu_);
  v1::WorkerState current_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> listener_ ABSL_GUARDED_BY(mu_);
  std::function<void(const v1::WorkerResult&)> result_observer_;

  // Touched by the background thread only.
  std::optional<TrialPlan> plan_;
  std::optional<v1::DesiredState::Prepare> prepared_;
  std::thread thread_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_TRIAL_EXECUTOR_H_
