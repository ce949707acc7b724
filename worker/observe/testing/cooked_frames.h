// Frames as the "any" device captures them, for tests of the parsing and
// of the capture filter (test-only): a Linux cooked header (SLL or SLL2)
// in front of an IPv4 packet holding one TCP segment.
#ifndef SCALEBENCH_WORKER_OBSERVE_TESTING_COOKED_FRAMES_H_
#define SCALEBENCH_WORKER_OBSERVE_TESTING_COOKED_FRAMES_H_

#include <cstdint>
#include <vector>

#include "worker/observe/first_requests.h"

namespace scalebench::worker {

// TCP flags as in the header's byte 13.
inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpPush = 0x08;
inline constexpr uint8_t kTcpAck = 0x10;

struct TcpSegmentSpec {
  Ipv4Address source = 0;
  Ipv4Address destination = 0;
  uint16_t source_port = 40000;
  uint16_t destination_port = 0;
  uint8_t flags = kTcpPush | kTcpAck;
  int payload_bytes = 0;
  // The EtherType in the cooked header; 0x0800 is IPv4.
  uint16_t protocol = 0x0800;
};

// The whole frame for `datalink` (DLT_LINUX_SLL or DLT_LINUX_SLL2),
// payload included, with 20-byte IPv4 and TCP headers.
std::vector<uint8_t> CookedTcpFrame(int datalink, const TcpSegmentSpec& spec);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_OBSERVE_TESTING_COOKED_FRAMES_H_
