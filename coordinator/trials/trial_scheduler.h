// The coordinator's scheduler: places queued trials on free hosts (a host
// runs one trial at a time; disjoint trials run in parallel on disjoint
// hosts), drives each placed attempt through its phases (AttemptRun),
// adds an adaptive policy's next round of repetitions, ends experiments
// (fitting the spec's models to the stored results), carries out cancels,
// and, after a restart, settles the attempts a previous coordinator left
// running. Trials start in their stored order (randomized per round with
// the experiment's seed). All of it reads and writes the Store, so the
// coordinator can be killed at any instant. Thread-safe.
#ifndef SCALEBENCH_COORDINATOR_TRIALS_TRIAL_SCHEDULER_H_
#define SCALEBENCH_COORDINATOR_TRIALS_TRIAL_SCHEDULER_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "coordinator/rpc/worker_service.h"
#include "coordinator/store/stores.h"
#include "coordinator/trials/attempt_run.h"
#include "coordinator/trials/placement.h"

namespace scalebench::coordinator {

struct SchedulerOptions {
  // Longest the scheduler's thread waits between passes when nothing
  // wakes it. Default 100 ms.
  absl::Duration tick = absl::Milliseconds(100);
  AttemptTimeouts attempt;
  // No other worker can join (`scalebench run`'s embedded coordinator):
  // once a worker synchronizes, an experiment with a configuration that
  // no live worker could run even idle fails at once, before any attempt,
  // with the reason, instead of waiting for a host that cannot come.
  // Default false: a standalone coordinator waits, and says what for in
  // Experiment.waiting_for.
  bool closed_cluster = false;
};

class Scheduler final {
 public:
  // The pointers outlive the scheduler.
  Scheduler(Stores* store, WorkerRegistry* registry, Clock* clock,
            SchedulerOptions options = {});
  // Stop().
  ~Scheduler();

  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Settles what a previous coordinator left: every attempt still running
  // in the store ends, merged and succeeded when all its load generators'
  // results are stored, otherwise failed with
  // FAILURE_KIND_COORDINATOR_RESTARTED (retried, not counted against the
  // retry budget). Call once, before serving workers.
  absl::Status Recover();

  // One pass: expire lost workers, step every running attempt, start
  // attempts on free hosts, end finished experiments. Store errors are
  // logged and the pass goes on; the next pass retries.
  void RunOnce();

  // Runs passes on a thread until Stop(), each after `tick` or as soon as
  // Wake() is called (the registry calls it after every exchange).
  void Start();
  void Wake();
  // Stops the thread; attempts in progress stay as they are in the store
  // (the next coordinator's Recover settles them). Idempotent.
  void Stop();

  // Attempts placed and not yet torn down. For tests.
  size_t TEST_RunningAttempts() const;

 private:
  // One experiment's share of a pass.
  absl::Status Schedule(const std::string& experiment_id,
                        std::vector<CandidateHost>& free);
  // Ends an experiment whose trials have all ended, or adds its next
  // adaptive round.
  absl::Status Conclude(const v1::Experiment& experiment,
                        const std::vector<v1::Trial>& trials);
  absl::Status CancelQueued(const v1::Experiment& experiment);
  // With closed_cluster: fails the experiment (true) when one of its
  // configurations can never be placed on the live hosts.
  absl::StatusOr<bool> FailIfNeverPlaceable(const v1::Experiment& experiment,
                                            const PlacementRules& rules)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);
  // Records in the store what the experiment waits for ("" for nothing),
  // when that changed.
  void SetWaiting(const std::string& experiment_id, const std::string& reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);
  std::vector<CandidateHost> FreeHosts() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);
  bool HasRunningAttempt(const std::string& experiment_id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);
  void Loop();

  Stores* const store_;
  WorkerRegistry* const registry_;
  Clock* const clock_;
  const SchedulerOptions options_;

  // Held for a whole pass: passes never overlap.
  mutable absl::Mutex pass_mu_;
  // By trial name.
  absl::flat_hash_map<std::string, std::unique_ptr<AttemptRun>> runs_
      ABSL_GUARDED_BY(pass_mu_);
  // The experiment each run belongs to, by trial name.
  absl::flat_hash_map<std::string, std::string> run_experiment_
      ABSL_GUARDED_BY(pass_mu_);
  // What each experiment waits for, as last recorded in the store.
  absl::flat_hash_map<std::string, std::string> waiting_
      ABSL_GUARDED_BY(pass_mu_);
  // Experiments with queued trials whose waits the store holds
  // (TrialStore::SetWaiting), to forget them once they end.
  absl::flat_hash_set<std::string> trials_waiting_ ABSL_GUARDED_BY(pass_mu_);
  // Experiments FailIfNeverPlaceable found placeable.
  absl::flat_hash_set<std::string> placeable_ ABSL_GUARDED_BY(pass_mu_);

  absl::Mutex wake_mu_;
  bool woken_ ABSL_GUARDED_BY(wake_mu_) = false;
  bool stop_ ABSL_GUARDED_BY(wake_mu_) = false;
  std::thread thread_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_TRIALS_TRIAL_SCHEDULER_H_
