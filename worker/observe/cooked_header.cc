#include "worker/observe/cooked_header.h"

#include <pcap/dlt.h>
#include <pcap/sll.h>

namespace scalebench::worker {
namespace {

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
// The IPv4 header: version in the high nibble of byte 0, the source
// address at bytes 12 to 15.
constexpr size_t kIpv4SourceOffset = 12;
constexpr size_t kIpv4MinimumHeader = 20;

uint16_t BigEndian16(const uint8_t* bytes) {
  return static_cast<uint16_t>((bytes[0] << 8) | bytes[1]);
}

uint32_t BigEndian32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) |
         (uint32_t{bytes[2]} << 8) | uint32_t{bytes[3]};
}

struct CookedLayout {
  size_t header_length;
  size_t protocol_offset;
};

std::optional<CookedLayout> LayoutOf(int datalink) {
  switch (datalink) {
    case DLT_LINUX_SLL:
      return CookedLayout{SLL_HDR_LEN, offsetof(sll_header, sll_protocol)};
    case DLT_LINUX_SLL2:
      return CookedLayout{SLL2_HDR_LEN, offsetof(sll2_header, sll2_protocol)};
    default:
      return std::nullopt;
  }
}

}  // namespace

bool IsCookedLinkType(int datalink) { return LayoutOf(datalink).has_value(); }

std::optional<Ipv4Address> CookedIpv4Source(int datalink, const uint8_t* frame,
                                            size_t captured) {
  const std::optional<CookedLayout> layout = LayoutOf(datalink);
  if (!layout.has_value()) return std::nullopt;
  if (captured < layout->header_length + kIpv4MinimumHeader) {
    return std::nullopt;
  }
  if (BigEndian16(frame + layout->protocol_offset) != kEtherTypeIpv4) {
    return std::nullopt;
  }
  const uint8_t* ip = frame + layout->header_length;
  if ((ip[0] >> 4) != 4) return std::nullopt;
  return BigEndian32(ip + kIpv4SourceOffset);
}

}  // namespace scalebench::worker
