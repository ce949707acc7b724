// The worker's running estimate of the coordinator's clock, from the four
// timestamps of each Synchronize exchange (as NTP does): t1 request sent
// and t4 response received on the worker's wall clock, t2 request received
// and t3 response sent on the coordinator's. The estimate is the sample
// with the smallest round trip among the recent ones: its offset error is
// at most half its round trip. A long poll's samples are a fallback: the
// executor converts T0 with a burst of ExchangeClock calls
// (clock_burst.h), and with this estimate only when that burst failed.
// Thread-safe.
#ifndef SCALEBENCH_WORKER_AGENT_CLOCK_SYNC_H_
#define SCALEBENCH_WORKER_AGENT_CLOCK_SYNC_H_

#include <deque>
#include <optional>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "results/clock_offsets.h"

namespace scalebench::worker {

using ClockSample = results::ClockSample;

struct ClockEstimate {
  // Coordinator clock minus worker clock.
  absl::Duration offset;
  // Time on the wire: (t4 - t1) - (t3 - t2).
  absl::Duration round_trip;
};

// The estimate one sample gives: offset = ((t2 - t1) + (t3 - t4)) / 2.
ClockEstimate EstimateFrom(const ClockSample& sample);

class ClockSync final {
 public:
  // How many recent samples the estimate is chosen from.
  static constexpr int kWindow = 8;

  void Add(const ClockSample& sample);

  // The estimate from the recent sample with the smallest round trip;
  // nullopt before the first sample.
  std::optional<ClockEstimate> Estimate() const;

  // `coordinator_time` on this host's wall clock; unchanged before the
  // first sample (offset 0).
  absl::Time ToLocal(absl::Time coordinator_time) const;

 private:
  mutable absl::Mutex mu_;
  std::deque<ClockEstimate> recent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_CLOCK_SYNC_H_
