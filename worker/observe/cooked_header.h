// The IPv4 source address of a frame captured on Linux's "any" device,
// whose link layer is a cooked header (DLT_LINUX_SLL, 16 bytes, or
// DLT_LINUX_SLL2, 20 bytes) in front of the network layer. Pure;
// thread-safe.
#ifndef SCALEBENCH_WORKER_OBSERVE_COOKED_HEADER_H_
#define SCALEBENCH_WORKER_OBSERVE_COOKED_HEADER_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "worker/observe/first_requests.h"

namespace scalebench::worker {

// True for the link types CookedIpv4Source reads.
bool IsCookedLinkType(int datalink);

// The source address of the IPv4 packet in `frame` (the first
// `captured` bytes of it), whose link type is `datalink` (pcap_datalink).
// nullopt when the link type is not a cooked one, the protocol is not
// IPv4, or the frame is too short to hold the address.
std::optional<Ipv4Address> CookedIpv4Source(int datalink, const uint8_t* frame,
                                            size_t captured);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_OBSERVE_COOKED_HEADER_H_
