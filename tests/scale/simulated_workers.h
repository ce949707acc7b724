// Many simulated workers in one process, for measuring the coordinator at
// scale (tests/scale/coordinator_scale.cc). Each SimWorker has its own id,
// session and skewed wall clock, and speaks the real WorkerService proto on
// its own connection through gRPC's callback API, so 1000 of them need a
// handful of threads. A worker "runs" a trial instantly: prepare -> ready,
// measure -> measuring until T0 + warm-up + duration (converted through its
// own clock estimate), then finished with a synthetic but valid result;
// tear down -> idle. Thread-safe.
#ifndef SCALEBENCH_TESTS_SCALE_SIMULATED_WORKERS_H_
#define SCALEBENCH_TESTS_SCALE_SIMULATED_WORKERS_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <atomic>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "scalebench/v1/worker.grpc.pb.h"

namespace scalebench::scale {

// The real clock shifted by a fixed skew: Wall() = real wall + skew.
class SkewedClock final : public Clock {
 public:
  explicit SkewedClock(absl::Duration skew) : skew_(skew) {}
  absl::Duration skew() const { return skew_; }
  absl::Duration Monotonic() const override {
    return Clock::Real()->Monotonic();
  }
  absl::Time Wall() const override { return Clock::Real()->Wall() + skew_; }
  void SleepUntil(absl::Duration deadline) override {
    Clock::Real()->SleepUntil(deadline);
  }

 private:
  const absl::Duration skew_;
};

// Runs callbacks at monotonic deadlines on one thread. Thread-safe.
class TimerThread final {
 public:
  TimerThread();
  ~TimerThread();  // Drops pending callbacks, joins.
  void At(absl::Duration monotonic_deadline, std::function<void()> callback);

 private:
  struct Item {
    absl::Duration deadline;
    uint64_t order;
    std::function<void()> callback;
    bool operator>(const Item& o) const {
      return deadline != o.deadline ? deadline > o.deadline : order > o.order;
    }
  };
  void Loop();
  absl::Mutex mu_;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> items_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_order_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// What the workers saw, per phase (set_phase); latencies in milliseconds.
struct SyncSamples {
  // Round trip (t4 - t1, on the worker's clock) of calls the coordinator
  // must answer at once: those carrying results (it answers once they are
  // committed, with their acknowledgements).
  std::vector<double> answered_ms;
  // For the same calls, the coordinator's own time: its transmit_time minus
  // its receive_time (t3 - t2, on its clock).
  std::vector<double> answered_server_ms;
  // And their way in: t2 minus t1 with the worker's skew taken out (both
  // on this host's clock): gRPC on both sides before the handler ran.
  std::vector<double> answered_uplink_ms;
  // Round trip of the other calls it answered before the hold ran out
  // (not cancelled by the worker): held until the scheduler gave the
  // worker something new to do, so they include the scheduler's reaction
  // and a worker's wait for its next trial.
  std::vector<double> reaction_ms;
  // For calls answered when the hold ran out: round trip minus the hold,
  // i.e. how late past the hold the answer came (store write, timer,
  // transport).
  std::vector<double> hold_overrun_ms;
  int errors = 0;
};

class SimulatedWorkers final {
 public:
  // `hold` is the coordinator's hold (5 s by default), to classify calls.
  SimulatedWorkers(std::string coordinator, int count, absl::Duration hold);
  ~SimulatedWorkers();  // Stop().

  // Starts every worker's first exchange.
  void Start();
  // Ends every call and waits until none is outstanding. Idempotent.
  void Stop();

  // Samples are recorded under the phase set last (0 at first).
  void set_phase(int phase);
  SyncSamples Samples(int phase) const;
  // Results the workers produced (each once).
  int results_produced() const { return results_produced_.load(); }

 private:
  struct Worker;
  struct Call;
  void Send(Worker& w);
  void OnDone(Worker& w, std::shared_ptr<Call> call, grpc::Status status);
  void Finish(Worker& w, const v1::AttemptKey& key, absl::Time start,
              absl::Duration length);
  enum class Kind { kAnswered, kAnsweredServer, kUplink, kReaction, kOverrun };
  void Record(Kind kind, double ms);

  const std::string coordinator_;
  const absl::Duration hold_;
  std::vector<std::unique_ptr<Worker>> workers_;
  TimerThread timers_;

  mutable absl::Mutex mu_;
  std::vector<SyncSamples> samples_ ABSL_GUARDED_BY(mu_);
  int phase_ ABSL_GUARDED_BY(mu_) = 0;
  int outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<int> results_produced_{0};
};

}  // namespace scalebench::scale

#endif  // SCALEBENCH_TESTS_SCALE_SIMULATED_WORKERS_H_
