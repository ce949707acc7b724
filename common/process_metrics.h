// The standard process metrics every Prometheus client exports
// (process_cpu_seconds_total, process_resident_memory_bytes,
// process_open_fds, process_start_time_seconds), read from /proc/self at
// each scrape. Linux only. Thread-safe.
#ifndef SCALEBENCH_COMMON_PROCESS_METRICS_H_
#define SCALEBENCH_COMMON_PROCESS_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace scalebench {

class ProcessMetrics final : public prometheus::Collectable {
 public:
  // The families it can read now; one whose /proc file cannot be read is
  // left out.
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_PROCESS_METRICS_H_
