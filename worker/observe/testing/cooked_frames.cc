#include "worker/observe/testing/cooked_frames.h"

#include <pcap/dlt.h>
#include <pcap/sll.h>

#include <cstddef>

namespace scalebench::worker {
namespace {

constexpr size_t kIpv4HeaderBytes = 20;
constexpr size_t kTcpHeaderBytes = 20;
constexpr uint8_t kProtocolTcp = 6;

void Put16(std::vector<uint8_t>& out, size_t at, uint16_t value) {
  out[at] = static_cast<uint8_t>(value >> 8);
  out[at + 1] = static_cast<uint8_t>(value);
}

void Put32(std::vector<uint8_t>& out, size_t at, uint32_t value) {
  Put16(out, at, static_cast<uint16_t>(value >> 16));
  Put16(out, at + 2, static_cast<uint16_t>(value));
}

}  // namespace

std::vector<uint8_t> CookedTcpFrame(int datalink, const TcpSegmentSpec& spec) {
  const bool sll2 = datalink == DLT_LINUX_SLL2;
  const size_t cooked = sll2 ? SLL2_HDR_LEN : SLL_HDR_LEN;
  const size_t ip_length = kIpv4HeaderBytes + kTcpHeaderBytes +
                           static_cast<size_t>(spec.payload_bytes);
  std::vector<uint8_t> frame(cooked + ip_length, 0);
  if (sll2) {
    Put16(frame, offsetof(sll2_header, sll2_protocol), spec.protocol);
    frame[offsetof(sll2_header, sll2_pkttype)] = LINUX_SLL_HOST;
  } else {
    Put16(frame, offsetof(sll_header, sll_pkttype), LINUX_SLL_HOST);
    Put16(frame, offsetof(sll_header, sll_protocol), spec.protocol);
  }
  const size_t ip = cooked;
  frame[ip] = 0x45;  // Version 4, five 32-bit words of header.
  Put16(frame, ip + 2, static_cast<uint16_t>(ip_length));
  frame[ip + 8] = 64;  // TTL.
  frame[ip + 9] = kProtocolTcp;
  Put32(frame, ip + 12, spec.source);
  Put32(frame, ip + 16, spec.destination);
  const size_t tcp = ip + kIpv4HeaderBytes;
  Put16(frame, tcp, spec.source_port);
  Put16(frame, tcp + 2, spec.destination_port);
  frame[tcp + 12] = 0x50;  // Five 32-bit words of header.
  frame[tcp + 13] = spec.flags;
  return frame;
}

}  // namespace scalebench::worker
