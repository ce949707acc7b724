// The coordinator's nightly sweeps: fires each schedule when its cron
// expression says (once for all the firings missed while the coordinator
// was down), and judges each scheduled run once its experiment has ended
// (nightly_judge.h), queueing its notifications in the store's outbox for
// the WebhookNotifier. Everything it decides is in the store before it
// acts on it, so a coordinator killed at any instant neither loses nor
// repeats a run or a verdict. Thread-safe.
#ifndef SCALEBENCH_COORDINATOR_NIGHTLY_NIGHTLY_RUNNER_H_
#define SCALEBENCH_COORDINATOR_NIGHTLY_NIGHTLY_RUNNER_H_

#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "coordinator/nightly/poll_loop.h"
#include "coordinator/store/stores.h"

namespace scalebench::coordinator {

struct NightlyRunnerOptions {
  // Longest the thread waits between passes. A schedule fires within this
  // of its instant. Default 1 s.
  absl::Duration tick = absl::Seconds(1);
};

class NightlyRunner final {
 public:
  // `store` and `clock` outlive the runner.
  NightlyRunner(Stores* store, Clock* clock, NightlyRunnerOptions options = {});
  // Stop().
  ~NightlyRunner();
  NightlyRunner(const NightlyRunner&) = delete;
  NightlyRunner& operator=(const NightlyRunner&) = delete;

  // One pass at the clock's wall time: fires every schedule that is due,
  // then judges every scheduled run whose experiment has ended. Errors
  // are logged and the pass goes on; the next pass retries.
  void RunOnce();

  // Runs passes on a thread until Stop(). Stop is idempotent.
  void Start();
  void Stop();

 private:
  void FireDueSchedules();
  void JudgeEndedRuns();

  Stores* const store_;
  Clock* const clock_;
  const NightlyRunnerOptions options_;

  PollLoop loop_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_NIGHTLY_NIGHTLY_RUNNER_H_
