// On the balancer's host: when the first request of each load-generating
// host arrived (WorkerResult.observed_starts), seen in this host's one
// clock so that the spread of the load generators' starts needs no clock
// offset. A request is the first TCP segment carrying data (PSH set) from
// one of a source's addresses to the balancer's port; its time is the
// kernel's receive timestamp. IPv4 only. Not thread-safe: Begin and End
// are called from one thread (the capture runs on its own).
#ifndef SCALEBENCH_WORKER_OBSERVE_START_OBSERVER_H_
#define SCALEBENCH_WORKER_OBSERVE_START_OBSERVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/worker.pb.h"
#include "worker/observe/packet_source.h"

namespace scalebench::worker {

struct ObserveRequest {
  // The balancer's address, an IPv4 literal; empty or "0.0.0.0": any
  // local address.
  std::string listen_address;
  // The balancer's port; required.
  uint16_t port = 0;
  // Whose first request to record (Measure.load_sources); at most
  // FirstRequests::kMaxSources. Addresses that are not IPv4 literals are
  // ignored.
  std::vector<v1::LoadSource> sources;
  // Capture at most this long after Begin; more than zero, at most
  // kMaxObserveWait.
  absl::Duration max_wait;
};

// The longest capture one observation may ask for.
inline constexpr absl::Duration kMaxObserveWait = absl::Seconds(60);

class StartObserver {
 public:
  virtual ~StartObserver() = default;

  // Starts capturing now, in the background. An error (no CAP_NET_RAW,
  // no such device, a bad filter) says why in one line for people; the
  // caller stores it as WorkerResult.observe_failure and carries on.
  // INVALID_ARGUMENT names the request's field (load_sources, port,
  // listen_address, max_wait); FAILED_PRECONDITION when Begin already
  // succeeded once on this observer.
  virtual absl::Status Begin(const ObserveRequest& request) = 0;

  // Stops capturing (at once if it has not stopped already: it stops by
  // itself once every source has been seen, or max_wait after Begin) and
  // returns the first request seen from each source, in `sources` order;
  // a source not seen is absent. Segments the kernel received before End
  // count. Safe to call without a successful Begin (returns nothing);
  // calling it again returns the same.
  virtual std::vector<v1::ObservedStart> End() = 0;

  // Why the capture stopped before it should have (it failed after
  // Begin), for observe_failure when End returned fewer sources than
  // asked; OK otherwise. Meaningful after End.
  virtual absl::Status capture_status() const = 0;
};

// The observer over any capture, with time from `clock` (not owned; must
// outlive the observer).
std::unique_ptr<StartObserver> MakeStartObserver(Clock* clock,
                                                 PacketSourceFactory capture);

// The real one: libpcap on the "any" device of the caller's network
// namespace (OpenPcapPacketSource).
std::unique_ptr<StartObserver> MakePcapStartObserver(Clock* clock);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_OBSERVE_START_OBSERVER_H_
