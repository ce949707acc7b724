#include "loadgen/thread_stats.h"

#include <algorithm>

namespace scalebench::loadgen {

void ThreadStats::Merge(const ThreadStats& other) {
  requests += other.requests;
  for (size_t i = 0; i < statuses.size(); ++i) statuses[i] += other.statuses[i];
  for (size_t i = 0; i < errors.size(); ++i) errors[i] += other.errors[i];
  for (size_t i = 0; i < parse_causes.size(); ++i) {
    parse_causes[i] += other.parse_causes[i];
  }
  bytes_received += other.bytes_received;
  bytes_sent += other.bytes_sent;
  warmup_requests += other.warmup_requests;
  latency.Merge(other.latency);
  if (other.series.size() > series.size()) series.resize(other.series.size());
  for (size_t s = 0; s < other.series.size(); ++s) {
    SecondStats& mine = series[s];
    const SecondStats& theirs = other.series[s];
    mine.requests += theirs.requests;
    mine.errors += theirs.errors;
    mine.bytes += theirs.bytes;
    mine.latency_sum_ns += theirs.latency_sum_ns;
    mine.latency_max_ns = std::max(mine.latency_max_ns, theirs.latency_max_ns);
  }
  if (other.began_ns > began_ns) {
    began_ns = other.began_ns;
    began_within_ns = other.began_within_ns;
  }
  if (other.first_began_ns != 0 &&
      (first_began_ns == 0 || other.first_began_ns < first_began_ns)) {
    first_began_ns = other.first_began_ns;
    first_began_within_ns = other.first_began_within_ns;
  }
  last_done_ns = std::max(last_done_ns, other.last_done_ns);
  cpu_user_ns += other.cpu_user_ns;
  cpu_system_ns += other.cpu_system_ns;
}

}  // namespace scalebench::loadgen
