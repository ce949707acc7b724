// The bookkeeping of the balancer host's observation, apart from any
// capture: given data segments as (IPv4 source address, kernel timestamp)
// events, the earliest one per load source, and whether every source that
// can be seen has been. IPv4 only: a source's address that is not an IPv4
// literal (an IPv6 address, a host name) is never matched. Not
// thread-safe; the observer guards it.
#ifndef SCALEBENCH_WORKER_OBSERVE_FIRST_REQUESTS_H_
#define SCALEBENCH_WORKER_OBSERVE_FIRST_REQUESTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/worker.pb.h"

namespace scalebench::worker {

// An IPv4 address in host byte order (127.0.0.1 is 0x7f000001).
using Ipv4Address = uint32_t;

// The address `text` spells as a dotted quad, or nullopt when it is not
// one.
std::optional<Ipv4Address> ParseIpv4(std::string_view text);
// The dotted quad of `address`.
std::string FormatIpv4(Ipv4Address address);

// One TCP segment carrying data, as the capture saw it.
struct DataSegment {
  Ipv4Address source = 0;
  // The kernel's receive timestamp, on this host's wall clock.
  absl::Time time;
};

class FirstRequests final {
 public:
  // The most load sources one observation follows.
  static constexpr int kMaxSources = 64;

  // Follows `sources` (DesiredState.Measure.load_sources). Errors,
  // INVALID_ARGUMENT: more than kMaxSources; an address that two sources
  // share (their requests could not be told apart). Each names the field,
  // e.g. "load_sources[2].addresses[0]".
  static absl::StatusOr<FirstRequests> Create(
      const std::vector<v1::LoadSource>& sources);

  // Records one segment: kept when it came from a source's address and is
  // earlier than what that source has; ignored otherwise.
  void Record(const DataSegment& segment);

  // True once every source with at least one IPv4 address has a segment
  // (a source without one can never be seen, so it is not waited for).
  bool done() const { return waiting_for_ == 0; }
  // How many of those sources have no segment yet.
  int unseen() const { return waiting_for_; }

  // The addresses of the sources not seen yet, ascending.
  std::vector<Ipv4Address> Awaited() const;

  // The earliest segment of each source seen, in the order of `sources`;
  // a source not seen is absent.
  std::vector<v1::ObservedStart> Observed() const;

 private:
  struct Source {
    std::string worker_id;
    std::optional<DataSegment> first;
  };

  FirstRequests() = default;

  std::vector<Source> sources_;
  // Source address to index in sources_.
  std::unordered_map<Ipv4Address, size_t> owner_;
  int waiting_for_ = 0;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_OBSERVE_FIRST_REQUESTS_H_
