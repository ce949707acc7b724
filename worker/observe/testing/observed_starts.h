// Helpers for tests of the observation (test-only): load sources to
// observe, segments at instants after a fixed origin, and what was
// observed as lines to compare.
#ifndef SCALEBENCH_WORKER_OBSERVE_TESTING_OBSERVED_STARTS_H_
#define SCALEBENCH_WORKER_OBSERVE_TESTING_OBSERVED_STARTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/worker.pb.h"
#include "worker/observe/first_requests.h"

namespace scalebench::worker {

// The origin the segments' times count from.
inline const absl::Time kTestOrigin = absl::FromUnixSeconds(1'800'000'000);

v1::LoadSource TestLoadSource(const std::string& worker_id,
                              const std::vector<std::string>& addresses);

// A data segment from `source`, `microseconds` after kTestOrigin.
DataSegment SegmentAt(Ipv4Address source, int64_t microseconds);

// "worker_id address +N" per ObservedStart, N its microseconds after
// kTestOrigin.
std::vector<std::string> ObservedLines(
    const std::vector<v1::ObservedStart>& starts);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_OBSERVE_TESTING_OBSERVED_STARTS_H_
