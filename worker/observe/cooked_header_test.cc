#include "worker/observe/cooked_header.h"

#include <pcap/dlt.h>

#include <vector>

#include "gtest/gtest.h"
#include "worker/observe/testing/cooked_frames.h"

namespace scalebench::worker {
namespace {

constexpr Ipv4Address kSource = 0x0a000002;       // 10.0.0.2
constexpr Ipv4Address kDestination = 0x0a000009;  // 10.0.0.9

TcpSegmentSpec Request() {
  TcpSegmentSpec spec;
  spec.source = kSource;
  spec.destination = kDestination;
  spec.destination_port = 8080;
  spec.payload_bytes = 18;
  return spec;
}

class CookedHeaderTest : public ::testing::TestWithParam<int> {};

TEST_P(CookedHeaderTest, ReadsTheIpv4SourceAddress) {
  const std::vector<uint8_t> frame = CookedTcpFrame(GetParam(), Request());
  EXPECT_TRUE(IsCookedLinkType(GetParam()));
  EXPECT_EQ(CookedIpv4Source(GetParam(), frame.data(), frame.size()), kSource);
}

TEST_P(CookedHeaderTest, NeedsOnlyTheHeadersCaptured) {
  const std::vector<uint8_t> frame = CookedTcpFrame(GetParam(), Request());
  // The cooked header and a 20-byte IPv4 header; the TCP header and the
  // payload may be cut off by the snapshot length.
  const size_t headers = frame.size() - 20 - 18;
  EXPECT_EQ(CookedIpv4Source(GetParam(), frame.data(), headers), kSource);
  EXPECT_EQ(CookedIpv4Source(GetParam(), frame.data(), headers - 1),
            std::nullopt);
}

TEST_P(CookedHeaderTest, IgnoresOtherProtocols) {
  TcpSegmentSpec spec = Request();
  spec.protocol = 0x86dd;  // IPv6.
  const std::vector<uint8_t> frame = CookedTcpFrame(GetParam(), spec);
  EXPECT_EQ(CookedIpv4Source(GetParam(), frame.data(), frame.size()),
            std::nullopt);
}

TEST_P(CookedHeaderTest, IgnoresAPacketWhoseVersionIsNotFour) {
  std::vector<uint8_t> frame = CookedTcpFrame(GetParam(), Request());
  const size_t ip = GetParam() == DLT_LINUX_SLL2 ? 20 : 16;
  frame[ip] = 0x65;
  EXPECT_EQ(CookedIpv4Source(GetParam(), frame.data(), frame.size()),
            std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Sll, CookedHeaderTest,
                         ::testing::Values(DLT_LINUX_SLL, DLT_LINUX_SLL2),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == DLT_LINUX_SLL2 ? "Sll2" : "Sll";
                         });

TEST(CookedLinkTypeTest, ReadsNoOtherLinkType) {
  const std::vector<uint8_t> frame = CookedTcpFrame(DLT_LINUX_SLL, Request());
  EXPECT_FALSE(IsCookedLinkType(DLT_EN10MB));
  EXPECT_EQ(CookedIpv4Source(DLT_EN10MB, frame.data(), frame.size()),
            std::nullopt);
}

}  // namespace
}  // namespace scalebench::worker
