// A worker's Prometheus metrics: whether its last Synchronize exchange
// succeeded, failed exchanges, the trials it ran by outcome, the requests
// per second and the start skew (with its uncertainty) of its last
// load-generator run, and on a balancer's host the spread of the starts it
// last observed. Fed by the
// Synchronize client and the trial executor; served by MetricsEndpoint.
// Names in docs/metrics.md. Thread-safe.
#ifndef SCALEBENCH_WORKER_AGENT_WORKER_METRICS_H_
#define SCALEBENCH_WORKER_AGENT_WORKER_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <memory>

#include "absl/status/status.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::worker {

class WorkerMetrics final {
 public:
  WorkerMetrics();
  WorkerMetrics(const WorkerMetrics&) = delete;
  WorkerMetrics& operator=(const WorkerMetrics&) = delete;

  // One Synchronize exchange ended with `status` (SyncOptions::on_exchange).
  void RecordExchange(const absl::Status& status);

  // One result spooled (TrialExecutor::SetResultObserver): counted under
  // outcome "succeeded" or its failure kind (api::EnumName spelling); a
  // result with a load-generator run sets the last requests/s and start
  // skew; one with observed starts of two or more hosts, the last observed
  // spread.
  void RecordResult(const v1::WorkerResult& result);

  // What MetricsEndpoint serves.
  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Gauge* synchronizing_;
  prometheus::Counter* exchange_failures_;
  prometheus::Family<prometheus::Counter>* trials_;
  prometheus::Gauge* last_requests_per_second_;
  prometheus::Gauge* last_start_skew_;
  prometheus::Gauge* last_start_skew_uncertainty_;
  prometheus::Gauge* last_observed_spread_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_WORKER_METRICS_H_
