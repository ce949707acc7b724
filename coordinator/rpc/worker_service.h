// The coordinator's side of WorkerService.Synchronize (the scheduler comes
// later). WorkerRegistry keeps, per worker, what its exchanges taught the
// coordinator (session, facts, clock estimate, reported state, liveness)
// and what the scheduler wants of it (the desired state), persists workers
// and their results in the Store, and holds long-poll calls until there is
// something to say. WorkerServiceImpl is the gRPC edge over it.
// Both are thread-safe.
#ifndef SCALEBENCH_COORDINATOR_RPC_WORKER_SERVICE_H_
#define SCALEBENCH_COORDINATOR_RPC_WORKER_SERVICE_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "coordinator/store/stores.h"
#include "coordinator/trials/placement.h"
#include "scalebench/v1/worker.grpc.pb.h"

namespace scalebench::coordinator {

struct WorkerRegistryOptions {
  // Longest a call is held when there is nothing to say. Default 5 s.
  absl::Duration hold = absl::Seconds(5);
  // Added to now + hold for next_synchronization_time. Default 5 s.
  absl::Duration margin = absl::Seconds(5);
  // How far past next_synchronization_time a silent worker is lost.
  // Default 10 s.
  absl::Duration grace = absl::Seconds(10);
  // A worker's row is written (Store::UpsertWorker) on its first call, on
  // a new session, when it sends facts, when it was lost, and otherwise at
  // most once per this interval (its stored last_seen is then up to this
  // old; ListWorkers shows the registry's). Not on every call: each write
  // is a synchronous commit, and 1000 workers polling every 5 s made 200 a
  // second. Default 60 s.
  absl::Duration persist_interval = absl::Seconds(60);
};

// One worker's clock against the coordinator's, from the previous
// exchange's four timestamps.
struct WorkerClockEstimate {
  // Worker clock minus coordinator clock, as Worker.clock_offset in the
  // API: ((t1 - t2) + (t4 - t3)) / 2 (t1, t4 on the worker's clock).
  absl::Duration offset;
  // (t4 - t1) - (t3 - t2).
  absl::Duration round_trip;
};

// The estimate one complete sample gives; nullopt when a timestamp is
// missing (there was no previous exchange). INVALID_ARGUMENT, saying
// which, for a sample no honest exchange gives: the worker's interval
// (t4 - t1) or the coordinator's (t3 - t2) negative, or the coordinator's
// longer than the worker's (a negative round trip).
absl::StatusOr<std::optional<WorkerClockEstimate>> EstimateWorkerClock(
    const v1::ClockSample& sample);

// What the registry knows of one worker.
struct WorkerInfo {
  std::string worker_id;
  // Empty for a worker known only from the store (before its first call
  // since the coordinator started).
  std::string session_id;
  v1::HostFacts facts;
  // When its last call arrived, and when it must call again (coordinator
  // wall clock).
  absl::Time last_seen = absl::InfinitePast();
  absl::Time next_synchronization_time = absl::InfinitePast();
  std::optional<WorkerClockEstimate> clock;
  // What it last reported, and what the scheduler wants (default idle).
  v1::WorkerState current;
  v1::DesiredState desired;
  // Set by ExpireLost, cleared by its next call.
  bool lost = false;
  // Sessions seen to change while the coordinator ran.
  int restarts = 0;
};

class WorkerRegistry final {
 public:
  // Called with the Synchronize status once the response is complete: OK
  // (send it) or an error (send that).
  using Completion = std::function<void(absl::Status)>;

  // `store` and `clock` outlive the registry. Starts the thread that ends
  // held calls when their hold time passes.
  WorkerRegistry(Stores* store, Clock* clock,
                 WorkerRegistryOptions options = {});
  WorkerRegistry(const WorkerRegistry&) = delete;
  WorkerRegistry& operator=(const WorkerRegistry&) = delete;
  // Shutdown(), then joins the timer thread.
  ~WorkerRegistry();

  // Loads the workers the store knows (their facts), so that a worker that
  // keeps its session across a coordinator restart and therefore sends no
  // facts keeps the ones stored. Call before serving. Errors are the
  // store's.
  absl::Status Recover();

  // One exchange. `request` has been validated (ValidateRequest);
  // `receive_time` is t2. Records the worker (UpsertWorker, when due: see
  // WorkerRegistryOptions::persist_interval), its clock estimate (a sample
  // EstimateWorkerClock refuses is dropped with a log line, and the
  // previous estimate kept) and current state; checks every result
  // (CheckWorkerResult, against the worker's clock and the Measure it was
  // last given for that attempt) and stores it, or for one that fails the
  // checks its RefusedResult, so that a worker sending garbage fails its
  // own attempt (StoreWorkerResults; a duplicate is ignored), and
  // acknowledges each once committed; then
  // completes at once when there are acknowledgements or the desired state
  // differs from the current one, otherwise holds the call until SetDesired
  // changes the desired state, the hold time passes, or Shutdown. A newer
  // call from the same worker ends a held one. `response` must stay valid
  // until `done` runs; `done` runs exactly once, never under the registry's
  // lock. Errors passed to `done`: the store's (the worker retries; result
  // storage is idempotent), UNAVAILABLE after Shutdown. A result for an
  // attempt the store does not know (NOT_FOUND), or one on which the
  // worker was not placed (PERMISSION_DENIED: a worker may report only for
  // its own attempts), can never be stored: it is acknowledged and dropped
  // with a log line, so that it cannot clog the worker's spool, nor a
  // confused worker retry it forever.
  void Synchronize(const v1::SynchronizeRequest& request,
                   absl::Time receive_time, v1::SynchronizeResponse* response,
                   Completion done);

  // Sets what `worker_id` should do; a held call of that worker is
  // answered at once. Known or not: the state waits for the worker's call.
  void SetDesired(const std::string& worker_id,
                  const v1::DesiredState& desired);

  // The workers whose session changed (they restarted and lost their
  // in-flight work) since the last call; clears the set. For the scheduler
  // to fail their attempts with FAILURE_KIND_WORKER_RESTARTED.
  absl::flat_hash_set<std::string> TakeRestarted();

  // Marks lost (in memory and Store::SetWorkerStatus LOST) every worker not
  // already lost whose next_synchronization_time + grace is before `now`,
  // and returns them. A lost worker that calls again is no longer lost.
  absl::flat_hash_set<std::string> ExpireLost(absl::Time now);

  // A copy of what is known of `worker_id`; nullopt when unknown.
  std::optional<WorkerInfo> Get(const std::string& worker_id) const;

  // Every worker known, ordered by id.
  std::vector<WorkerInfo> List() const;

  // Every worker that synchronizes now (called since the coordinator
  // started and not lost), busy or not, ordered by id: the hosts placement
  // may ever use.
  std::vector<CandidateHost> LiveHosts() const;

  // Called after an exchange has been recorded (never under the registry's
  // lock) when it told something new: the worker's row was written, results
  // were stored, or its reported state changed; so the scheduler can act on
  // a new state at once. Not for a worker re-polling in the same state.
  // Set before serving.
  void SetListener(std::function<void()> listener);

  // How many calls are held now. Test-only.
  int TEST_HeldCalls() const;

  // Completes every held call with UNAVAILABLE and refuses new calls the
  // same way. Call before grpc::Server::Shutdown, which waits for held
  // calls. Idempotent.
  void Shutdown();

 private:
  struct HeldCall {
    v1::SynchronizeResponse* response;
    absl::Time receive_time;
    absl::Duration deadline;  // On clock_->Monotonic().
    Completion done;
  };
  struct Entry {
    WorkerInfo info;
    std::optional<HeldCall> held;
    // The last Measure this worker was given (kept after the desired state
    // moves on): what its result for that attempt is checked against.
    std::optional<v1::DesiredState::Measure> measure;
    // When this coordinator last wrote the worker's row.
    absl::Time persisted = absl::InfinitePast();
  };
  // Fills the held call's response from `entry` and takes it out.
  HeldCall Release(Entry& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FillResponse(Entry& entry, absl::Time receive_time,
                    v1::SynchronizeResponse* response)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void TimerLoop();
  // Stores `results` with whatever other calls are storing at the same
  // time, in one transaction (group commit): the first caller commits the
  // batch collected so far while later ones gather the next. Outcomes as
  // Store::StoreWorkerResults; blocks until this call's batch committed.
  absl::StatusOr<std::vector<absl::StatusOr<bool>>> StoreResults(
      const std::vector<v1::WorkerResult>& results);

  struct ResultBatch {
    std::vector<v1::WorkerResult> results;
    bool done = false;
    absl::StatusOr<std::vector<absl::StatusOr<bool>>> outcomes;
  };

  Stores* const store_;
  Clock* const clock_;
  const WorkerRegistryOptions options_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> workers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> restarted_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> listener_;

  absl::Mutex commit_mu_;
  // Collecting results for the next commit; null when none are waiting.
  std::shared_ptr<ResultBatch> open_batch_ ABSL_GUARDED_BY(commit_mu_);
  bool committing_ ABSL_GUARDED_BY(commit_mu_) = false;
  absl::CondVar wake_;  // A call was held, or Shutdown.
  std::thread timer_;
};

// OK, or INVALID_ARGUMENT naming the offending field: worker_id (pattern),
// session_id (empty), current (no state), results (over the count bound),
// results[i].worker_id (another worker's result).
absl::Status ValidateRequest(const v1::SynchronizeRequest& request);

// WorkerService on the callback API: validates, checks that a TLS peer's
// certificate names the request's worker id (PERMISSION_DENIED otherwise),
// reads t2 on `clock`, and hands the call to the registry, which may
// complete it later.
//
// A call that carries results waits for their commit (group commit, a few
// ms); it does so on one of the service's own `kStoreThreads` threads, not
// on gRPC's callback threads: blocked, those few threads left 1000 workers'
// requests queued before their handler ran (hundreds of ms at a sweep's
// wave of results, measured by tests/scale).
class WorkerServiceImpl final : public v1::WorkerService::CallbackService {
 public:
  static constexpr int kStoreThreads = 32;

  // Neither may be null; both outlive the service. Starts the threads.
  WorkerServiceImpl(WorkerRegistry* registry, Clock* clock);
  WorkerServiceImpl(const WorkerServiceImpl&) = delete;
  WorkerServiceImpl& operator=(const WorkerServiceImpl&) = delete;
  // Runs what is queued, then joins the threads. Destroy after the
  // grpc::Server.
  ~WorkerServiceImpl() override;

  grpc::ServerUnaryReactor* Synchronize(
      grpc::CallbackServerContext* context,
      const v1::SynchronizeRequest* request,
      v1::SynchronizeResponse* response) override;

  // t2 as the handler begins, t3 as it answers; between them only the
  // request's checks (a valid worker_id, named by a TLS peer's
  // certificate). Touches neither the registry nor the store.
  grpc::ServerUnaryReactor* ExchangeClock(
      grpc::CallbackServerContext* context,
      const v1::ExchangeClockRequest* request,
      v1::ExchangeClockResponse* response) override;

  // Called with the handling time of every valid call: from its arrival
  // until the registry has recorded it (results stored, state taken) and
  // either answered or held it, on the clock's monotonic time, including a
  // results-carrying call's wait for one of the store threads. The
  // long-poll hold is not part of it. Set before serving; may be empty.
  void SetHandlingObserver(std::function<void(absl::Duration)> observer) {
    observer_ = std::move(observer);
  }

 private:
  void StoreLoop();

  WorkerRegistry* const registry_;
  Clock* const clock_;
  std::function<void(absl::Duration)> observer_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_RPC_WORKER_SERVICE_H_
