#include "worker/agent/worker_metrics.h"

#include <algorithm>

#include "api/enum_names.h"
#include "common/proto_time.h"
#include "results/errors.h"

namespace scalebench::worker {

WorkerMetrics::WorkerMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      synchronizing_(&prometheus::BuildGauge()
                          .Name("scalebench_worker_synchronizing")
                          .Help("1 when the worker's last Synchronize "
                                "exchange with the coordinator succeeded, "
                                "0 while it fails (or before the first)")
                          .Register(*registry_)
                          .Add({})),
      exchange_failures_(
          &prometheus::BuildCounter()
               .Name("scalebench_worker_synchronize_failures_total")
               .Help("Synchronize exchanges that failed (the "
                     "worker backs off and retries)")
               .Register(*registry_)
               .Add({})),
      trials_(&prometheus::BuildCounter()
                   .Name("scalebench_worker_trials_total")
                   .Help("Results this worker produced (one per attempt it "
                         "took part in), by outcome: succeeded or the "
                         "failure kind")
                   .Register(*registry_)),
      last_requests_per_second_(
          &prometheus::BuildGauge()
               .Name("scalebench_worker_last_trial_requests_per_second")
               .Help("Completed requests per second of this worker's last "
                     "load-generator run (0 before the first)")
               .Register(*registry_)
               .Add({})),
      last_start_skew_(
          &prometheus::BuildGauge()
               .Name("scalebench_worker_last_start_skew_seconds")
               .Help("When this worker's last load-generator run opened its "
                     "window, minus T0, on the coordinator's clock "
                     "(negative: early)")
               .Register(*registry_)
               .Add({})),
      last_start_skew_uncertainty_(
          &prometheus::BuildGauge()
               .Name("scalebench_worker_last_start_skew_uncertainty_seconds")
               .Help("How far the true skew of that run may be from the "
                     "stated one: half the round trip of the best clock "
                     "exchange")
               .Register(*registry_)
               .Add({})),
      last_observed_spread_(
          &prometheus::BuildGauge()
               .Name("scalebench_worker_last_observed_start_spread_seconds")
               .Help("On a balancer's host: the latest first request minus "
                     "the earliest, over the load-generating hosts it last "
                     "observed (in its own clock)")
               .Register(*registry_)
               .Add({})) {
  trials_->Add({{"outcome", "succeeded"}});
}

void WorkerMetrics::RecordExchange(const absl::Status& status) {
  synchronizing_->Set(status.ok() ? 1 : 0);
  if (!status.ok()) exchange_failures_->Increment();
}

void WorkerMetrics::RecordResult(const v1::WorkerResult& result) {
  const std::string outcome = result.has_failure()
                                  ? api::EnumName(result.failure().kind())
                                  : std::string("succeeded");
  trials_->Add({{"outcome", outcome.empty() ? "unspecified" : outcome}})
      .Increment();
  if (result.has_loadgen()) {
    const double seconds =
        absl::ToDoubleSeconds(DurationFromProto(result.loadgen().duration()));
    if (seconds > 0) {
      last_requests_per_second_->Set(
          static_cast<double>(results::Successes(result.loadgen())) / seconds);
    }
    last_start_skew_->Set(absl::ToDoubleSeconds(
        DurationFromProto(result.loadgen().start_skew())));
    last_start_skew_uncertainty_->Set(absl::ToDoubleSeconds(
        DurationFromProto(result.loadgen().start_skew_uncertainty())));
  }
  if (result.observed_starts_size() >= 2) {
    absl::Time earliest = absl::InfiniteFuture();
    absl::Time latest = absl::InfinitePast();
    for (const v1::ObservedStart& start : result.observed_starts()) {
      const absl::Time t = TimeFromProto(start.first_request());
      earliest = std::min(earliest, t);
      latest = std::max(latest, t);
    }
    last_observed_spread_->Set(absl::ToDoubleSeconds(latest - earliest));
  }
}

}  // namespace scalebench::worker
