// The capture behind the start observer, as a small interface so that the
// observer's logic runs on a fake in tests: a source of TCP data segments
// sent to the balancer, opened with a filter and read in bounded waits.
// Wait runs on one thread; Interrupt may be called from any thread while
// it does.
#ifndef SCALEBENCH_WORKER_OBSERVE_PACKET_SOURCE_H_
#define SCALEBENCH_WORKER_OBSERVE_PACKET_SOURCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "worker/observe/first_requests.h"

namespace scalebench::worker {

// Which segments to capture: TCP segments carrying data (PSH set) from
// one of `sources` (any address when empty) to `port` at `destination`
// (any local address when unset). IPv4 only.
struct CaptureFilter {
  std::vector<Ipv4Address> sources;
  std::optional<Ipv4Address> destination;
  uint16_t port = 0;
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;

  // Waits at most `timeout` (zero: not at all) for segments, and returns
  // those captured so far that no earlier call returned, possibly none.
  // Returns early after Interrupt. Errors: the capture failed and cannot
  // go on (the caller stops using it).
  virtual absl::StatusOr<std::vector<DataSegment>> Wait(
      absl::Duration timeout) = 0;

  // Captures with `filter` from now on, e.g. fewer sources once some have
  // been seen, so that the capture stays small. On an error the previous
  // filter stays in force.
  virtual absl::Status Refilter(const CaptureFilter& filter) = 0;

  // Makes the Wait in progress, or else the next one, return at once.
  // Thread-safe.
  virtual void Interrupt() = 0;
};

// Opens a capture with `filter`, capturing from the moment it returns
// until the source is destroyed. Errors say why in one line for people.
using PacketSourceFactory =
    std::function<absl::StatusOr<std::unique_ptr<PacketSource>>(
        const CaptureFilter& filter)>;

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_OBSERVE_PACKET_SOURCE_H_
