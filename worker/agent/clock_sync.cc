#include "worker/agent/clock_sync.h"

#include <algorithm>

namespace scalebench::worker {

ClockEstimate EstimateFrom(const ClockSample& s) {
  ClockEstimate e;
  e.offset = results::Offset(s);
  e.round_trip = results::RoundTrip(s);
  return e;
}

void ClockSync::Add(const ClockSample& sample) {
  absl::MutexLock lock(&mu_);
  recent_.push_back(EstimateFrom(sample));
  if (recent_.size() > kWindow) recent_.pop_front();
}

std::optional<ClockEstimate> ClockSync::Estimate() const {
  absl::MutexLock lock(&mu_);
  if (recent_.empty()) return std::nullopt;
  return *std::min_element(recent_.begin(), recent_.end(),
                           [](const ClockEstimate& a, const ClockEstimate& b) {
                             return a.round_trip < b.round_trip;
                           });
}

absl::Time ClockSync::ToLocal(absl::Time coordinator_time) const {
  const std::optional<ClockEstimate> estimate = Estimate();
  return estimate.has_value() ? coordinator_time - estimate->offset
                              : coordinator_time;
}

}  // namespace scalebench::worker
