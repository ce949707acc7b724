// The worker's side of WorkerService.Synchronize: a loop of idempotent
// exchanges. Each request says who the worker is (its id and this
// process's session id), its host facts on the first exchange of a session,
// what it is doing, the oldest unacknowledged results of its spool (bounded
// by api/synchronize_limits.h) and the previous exchange's four timestamps;
// each response brings the desired state (handed to the executor),
// acknowledgements (their results leave the spool) and the clock sample.
// Failed calls are retried with exponential backoff. Thread-compatible: one
// thread runs it.
#ifndef SCALEBENCH_WORKER_AGENT_SYNC_CLIENT_H_
#define SCALEBENCH_WORKER_AGENT_SYNC_CLIENT_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "scalebench/v1/worker.grpc.pb.h"
#include "worker/agent/assignment_executor.h"
#include "worker/agent/clock_sync.h"
#include "worker/spool.h"

namespace scalebench::worker {

struct SyncOptions {
  // The worker's id ([A-Za-z0-9._-]{1,64}).
  std::string worker_id;
  // This process's session; empty = a random one.
  std::string session_id;
  // Deadline of one call; above the coordinator's longest hold.
  absl::Duration call_timeout = absl::Seconds(30);
  // Backoff after a failed call: starts at `min_backoff`, doubles up to
  // `max_backoff`, with up to 20% random jitter.
  absl::Duration min_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(10);
  // Called by Run after each exchange with its outcome (OK or the call's
  // error; not for one that StateChanged cut short), e.g. for the
  // worker's metrics. Default empty.
  std::function<void(const absl::Status&)> on_exchange;
};

// The wait after `failures` consecutive failed calls (>= 1), before
// jitter: min * 2^(failures-1), capped at max.
absl::Duration BackoffDelay(int failures, absl::Duration min,
                            absl::Duration max);

class SyncClient final {
 public:
  // None of the pointers may be null; all outlive the client.
  SyncClient(std::shared_ptr<grpc::Channel> channel, SyncOptions options,
             v1::HostFacts facts, Spool* spool, AssignmentExecutor* executor,
             Clock* clock);

  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // One exchange. Returns the coordinator's next_synchronization_time, or
  // the call's error (the loop backs off and retries), or ABORTED when
  // StateChanged ended the call early (the loop goes again at once).
  absl::StatusOr<absl::Time> SynchronizeOnce();

  // Exchanges until `stop` is notified; the coordinator long-polls, so a
  // successful exchange is followed by the next at once.
  void Run(absl::Notification& stop);

  // The executor's state changed: ends a call the coordinator is holding,
  // so that the next exchange reports the new state at once. Thread-safe.
  void StateChanged();

  const ClockSync& clock_sync() const { return clock_sync_; }
  const std::string& session_id() const { return options_.session_id; }

 private:
  std::unique_ptr<v1::WorkerService::Stub> stub_;
  SyncOptions options_;
  v1::HostFacts facts_;
  Spool* spool_;
  AssignmentExecutor* executor_;
  Clock* clock_;
  ClockSync clock_sync_;
  bool facts_sent_ = false;
  std::optional<ClockSample> previous_sample_;

  absl::Mutex mu_;
  // Bumped by StateChanged; a call started at an older generation carries
  // a stale state.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::ClientContext* in_flight_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_SYNC_CLIENT_H_
