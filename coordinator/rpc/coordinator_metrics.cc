#include "coordinator/rpc/coordinator_metrics.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/generated_enum_reflection.h>
#include <prometheus/client_metric.h>
#include <prometheus/metric_type.h>

#include <iostream>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "api/enum_names.h"
#include "api/resource_names.h"

namespace scalebench::coordinator {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Synchronize handling takes tens of microseconds without results and a
// few milliseconds with a store commit (fsync): buckets from 50 us to 5 s.
const prometheus::Histogram::BucketBoundaries& SynchronizeBuckets() {
  static const auto* const kBuckets =
      new prometheus::Histogram::BucketBoundaries{
          0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.25,   0.5,   1,      5};
  return *kBuckets;
}

ClientMetric Sample(std::vector<ClientMetric::Label> labels, double value,
                    MetricType type) {
  ClientMetric metric;
  metric.label = std::move(labels);
  if (type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return metric;
}

// One series per value of enum E (unspecified left out), labelled `label`
// with its api::EnumName spelling: the count in `counts`, 0 when absent.
template <typename E>
MetricFamily PerEnumValue(std::string name, std::string help, MetricType type,
                          const std::string& label,
                          const absl::flat_hash_map<E, int64_t>& counts) {
  MetricFamily family{std::move(name), std::move(help), type, {}};
  const google::protobuf::EnumDescriptor& descriptor =
      *google::protobuf::GetEnumDescriptor<E>();
  for (int i = 0; i < descriptor.value_count(); ++i) {
    const E value = static_cast<E>(descriptor.value(i)->number());
    const std::string spelled = api::EnumName(value);
    if (spelled.empty()) continue;  // *_UNSPECIFIED.
    auto it = counts.find(value);
    family.metric.push_back(Sample(
        {{label, spelled}},
        it == counts.end() ? 0.0 : static_cast<double>(it->second), type));
  }
  return family;
}

void LogError(absl::string_view what, const absl::Status& status) {
  std::cerr << "scalebench-coordinator: metrics: " << what << ": "
            << status.message() << "\n";
}

}  // namespace

CoordinatorMetrics::CoordinatorMetrics(Stores* store, WorkerRegistry* registry)
    : store_(store),
      registry_(registry),
      own_(std::make_shared<prometheus::Registry>()),
      synchronize_seconds_(
          &prometheus::BuildHistogram()
               .Name("scalebench_synchronize_handling_seconds")
               .Help("Server-side handling time of WorkerService.Synchronize "
                     "calls, from arrival until the call is answered or "
                     "held (the long-poll hold is not included)")
               .Register(*own_)
               .Add({}, SynchronizeBuckets())) {}

void CoordinatorMetrics::ObserveSynchronize(absl::Duration handling) {
  synchronize_seconds_->Observe(absl::ToDoubleSeconds(handling));
}

std::vector<MetricFamily> CoordinatorMetrics::Collect() const {
  std::vector<MetricFamily> families = own_->Collect();

  absl::StatusOr<StoreCounts> counts = store_->metrics().CountStates();
  if (counts.ok()) {
    families.push_back(PerEnumValue(
        "scalebench_experiments", "Experiments in the store by state",
        MetricType::Gauge, "state", counts->experiments));
    families.push_back(
        PerEnumValue("scalebench_trials", "Trials in the store by state",
                     MetricType::Gauge, "state", counts->trials));
    families.push_back(PerEnumValue(
        "scalebench_attempts_failed_total",
        "Attempts that ended with a failure, by failure kind (counted from "
        "the store, so they survive restarts)",
        MetricType::Counter, "kind", counts->failed_attempts));
  } else {
    LogError("counting experiments", counts.status());
  }

  // Workers by status as `scalebench workers` shows them: the stored
  // status, lost when the registry has seen the worker miss its call.
  absl::StatusOr<std::vector<v1::Worker>> workers =
      store_->workers().ListWorkers();
  if (workers.ok()) {
    absl::flat_hash_map<v1::WorkerStatus, int64_t> by_status;
    for (const v1::Worker& worker : *workers) {
      v1::WorkerStatus status = worker.status();
      absl::StatusOr<std::string> id = api::ParseWorkerName(worker.name());
      if (id.ok()) {
        std::optional<WorkerInfo> info = registry_->Get(*id);
        if (info.has_value() && info->lost) status = v1::WORKER_STATUS_LOST;
      }
      ++by_status[status];
    }
    families.push_back(PerEnumValue("scalebench_workers",
                                    "Known workers by status",
                                    MetricType::Gauge, "status", by_status));
  } else {
    LogError("listing workers", workers.status());
  }

  MetricFamily offsets{
      "scalebench_worker_clock_offset_seconds",
      "Each worker's clock minus the coordinator's, estimated from its "
      "previous Synchronize exchange",
      MetricType::Gauge,
      {}};
  for (const WorkerInfo& info : registry_->List()) {
    if (!info.clock.has_value()) continue;
    offsets.metric.push_back(Sample({{"worker", info.worker_id}},
                                    absl::ToDoubleSeconds(info.clock->offset),
                                    MetricType::Gauge));
  }
  families.push_back(std::move(offsets));

  absl::StatusOr<std::vector<StoredSchedule>> schedules =
      store_->schedules().ListSchedules();
  if (schedules.ok()) {
    MetricFamily verdicts{
        "scalebench_schedule_last_verdict",
        "1 for the verdict of each schedule's last judged run, 0 for the "
        "others; all 0 while its last run is going or was skipped",
        MetricType::Gauge,
        {}};
    for (const StoredSchedule& stored : *schedules) {
      absl::StatusOr<std::string> id =
          api::ParseScheduleName(stored.schedule.name());
      const std::string schedule = id.ok() ? *id : stored.schedule.name();
      const std::string& verdict = stored.schedule.last_run().verdict();
      for (const char* candidate : kVerdicts) {
        verdicts.metric.push_back(
            Sample({{"schedule", schedule}, {"verdict", candidate}},
                   verdict == candidate ? 1.0 : 0.0, MetricType::Gauge));
      }
    }
    families.push_back(std::move(verdicts));
  } else {
    LogError("listing schedules", schedules.status());
  }
  return families;
}

}  // namespace scalebench::coordinator
