// The real capture: libpcap on the "any" device of the caller's network
// namespace, inbound only, in immediate mode with a small snapshot length
// and nanosecond kernel timestamps, filtered in the kernel to the TCP data
// segments of CaptureFilter. Needs CAP_NET_RAW. IPv4 only. Thread-safety
// as PacketSource.
#ifndef SCALEBENCH_WORKER_OBSERVE_PCAP_PACKET_SOURCE_H_
#define SCALEBENCH_WORKER_OBSERVE_PCAP_PACKET_SOURCE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "worker/observe/packet_source.h"

namespace scalebench::worker {

// The bytes of each frame kept: the cooked header (at most 20) and an
// IPv4 header with options (at most 60) hold the source address.
inline constexpr int kCaptureSnapLength = 96;

// The pcap filter expression for `filter`, e.g. "ip and tcp dst port 8080
// and (tcp[tcpflags] & tcp-push != 0) and <payload not empty> and dst
// host 10.0.0.1 and (src host 10.0.0.2 or src host 10.0.0.3)".
std::string CaptureFilterExpression(const CaptureFilter& filter);

// Opens the capture. Errors, FAILED_PRECONDITION: no "any" device, no
// permission ("... (needs CAP_NET_RAW)"), a link type other than Linux's
// cooked header; INVALID_ARGUMENT: the filter does not compile; INTERNAL:
// the wake-up descriptor could not be made. Each starts "cannot capture on
// any: ".
absl::StatusOr<std::unique_ptr<PacketSource>> OpenPcapPacketSource(
    const CaptureFilter& filter);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_OBSERVE_PCAP_PACKET_SOURCE_H_
