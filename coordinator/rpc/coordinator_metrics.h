// The coordinator's Prometheus metrics: experiments and trials by state,
// failed attempts by kind, workers by status and their clock offsets (all
// read from the store and the worker registry at each scrape), each
// schedule's last verdict, and a histogram of Synchronize handling times.
// Names and labels are listed in docs/metrics.md. Thread-safe.
#ifndef SCALEBENCH_COORDINATOR_RPC_COORDINATOR_METRICS_H_
#define SCALEBENCH_COORDINATOR_RPC_COORDINATOR_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "coordinator/rpc/worker_service.h"
#include "coordinator/store/stores.h"

namespace scalebench::coordinator {

// The verdicts a schedule's last run can have, as ScheduleRun.verdict
// spells them; scalebench_schedule_last_verdict has one series per
// schedule and verdict.
inline constexpr const char* kVerdicts[] = {
    "regression", "improvement", "no_change", "no_baseline", "failed"};

class CoordinatorMetrics final : public prometheus::Collectable {
 public:
  // `store` and `registry` outlive the metrics (and the endpoint that
  // serves them).
  CoordinatorMetrics(Stores* store, WorkerRegistry* registry);
  CoordinatorMetrics(const CoordinatorMetrics&) = delete;
  CoordinatorMetrics& operator=(const CoordinatorMetrics&) = delete;

  // Records one Synchronize call's handling time (see
  // WorkerServiceImpl::SetHandlingObserver).
  void ObserveSynchronize(absl::Duration handling);

  // Every family, read now. A store error leaves out the families it
  // feeds (and is logged once per scrape): a scrape never fails, so the
  // other families still arrive.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  Stores* const store_;
  WorkerRegistry* const registry_;
  // Owns the histogram; collected with the rest.
  std::shared_ptr<prometheus::Registry> own_;
  prometheus::Histogram* synchronize_seconds_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_RPC_COORDINATOR_METRICS_H_
