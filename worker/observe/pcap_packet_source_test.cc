#include "worker/observe/pcap_packet_source.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/clock.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"
#include "worker/observe/start_observer.h"
#include "worker/observe/testing/cooked_frames.h"
#include "worker/observe/testing/observed_starts.h"

namespace scalebench::worker {
namespace {

constexpr Ipv4Address kLoadGenerator = 0x0a000002;  // 10.0.0.2
constexpr Ipv4Address kOther = 0x0a000003;          // 10.0.0.3
constexpr Ipv4Address kBalancer = 0x0a000009;       // 10.0.0.9
constexpr uint16_t kPort = 8080;

// The first segment of a request: "GET / HTTP/1.1\r\n\r\n" with PSH.
TcpSegmentSpec Request() {
  TcpSegmentSpec spec;
  spec.source = kLoadGenerator;
  spec.destination = kBalancer;
  spec.destination_port = kPort;
  spec.flags = kTcpPush | kTcpAck;
  spec.payload_bytes = 18;
  return spec;
}

// Whether `expression`, compiled by libpcap for `datalink` as the capture
// compiles it, passes `segment`'s frame. No capture: runs unprivileged.
bool Passes(const std::string& expression, int datalink,
            const TcpSegmentSpec& segment) {
  pcap_t* dead = pcap_open_dead(datalink, kCaptureSnapLength);
  bpf_program program{};
  const bool compiled = pcap_compile(dead, &program, expression.c_str(), 1,
                                     PCAP_NETMASK_UNKNOWN) == 0;
  EXPECT_TRUE(compiled) << expression << ": " << pcap_geterr(dead);
  bool passes = false;
  if (compiled) {
    const std::vector<uint8_t> frame = CookedTcpFrame(datalink, segment);
    pcap_pkthdr header{};
    header.caplen = header.len = static_cast<bpf_u_int32>(frame.size());
    passes = pcap_offline_filter(&program, &header, frame.data()) != 0;
    pcap_freecode(&program);
  }
  pcap_close(dead);
  return passes;
}

class CaptureFilterTest : public ::testing::TestWithParam<int> {
 protected:
  const std::string filter_ = CaptureFilterExpression(
      {{kLoadGenerator}, std::optional<Ipv4Address>(kBalancer), kPort});
};

TEST_P(CaptureFilterTest, PassesARequestToTheBalancer) {
  EXPECT_TRUE(Passes(filter_, GetParam(), Request()));
}

TEST_P(CaptureFilterTest, PassesNoSegmentWithoutData) {
  TcpSegmentSpec syn = Request();
  syn.flags = kTcpSyn;
  syn.payload_bytes = 0;
  TcpSegmentSpec pushed_fin = Request();
  pushed_fin.flags = kTcpFin | kTcpPush | kTcpAck;
  pushed_fin.payload_bytes = 0;
  EXPECT_FALSE(Passes(filter_, GetParam(), syn));
  EXPECT_FALSE(Passes(filter_, GetParam(), pushed_fin));
}

TEST_P(CaptureFilterTest, PassesNoDataWithoutPush) {
  TcpSegmentSpec unpushed = Request();
  unpushed.flags = kTcpAck;
  EXPECT_FALSE(Passes(filter_, GetParam(), unpushed));
}

TEST_P(CaptureFilterTest, PassesOnlyTheBalancersPortAddressAndTheSources) {
  TcpSegmentSpec other_port = Request();
  other_port.destination_port = kPort + 1;
  TcpSegmentSpec other_destination = Request();
  other_destination.destination = kOther;
  TcpSegmentSpec other_source = Request();
  other_source.source = kOther;
  TcpSegmentSpec ipv6 = Request();
  ipv6.protocol = 0x86dd;
  EXPECT_FALSE(Passes(filter_, GetParam(), other_port));
  EXPECT_FALSE(Passes(filter_, GetParam(), other_destination));
  EXPECT_FALSE(Passes(filter_, GetParam(), other_source));
  EXPECT_FALSE(Passes(filter_, GetParam(), ipv6));
}

TEST_P(CaptureFilterTest, PassesAnyAddressWhenNoneIsGiven) {
  const std::string any = CaptureFilterExpression({{}, std::nullopt, kPort});
  TcpSegmentSpec elsewhere = Request();
  elsewhere.source = kOther;
  elsewhere.destination = kOther;
  EXPECT_TRUE(Passes(any, GetParam(), elsewhere));
}

TEST_P(CaptureFilterTest, PassesEachOfSeveralSources) {
  const std::string both =
      CaptureFilterExpression({{kLoadGenerator, kOther}, std::nullopt, kPort});
  TcpSegmentSpec other_source = Request();
  other_source.source = kOther;
  EXPECT_TRUE(Passes(both, GetParam(), Request()));
  EXPECT_TRUE(Passes(both, GetParam(), other_source));
}

INSTANTIATE_TEST_SUITE_P(Sll, CaptureFilterTest,
                         ::testing::Values(DLT_LINUX_SLL, DLT_LINUX_SLL2),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == DLT_LINUX_SLL2 ? "Sll2" : "Sll";
                         });

// A TCP socket on 127.0.0.1: listening on an ephemeral port when `port`
// is 0, else connected to it. -1 on failure.
int LoopbackSocket(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const sockaddr* raw = reinterpret_cast<const sockaddr*>(&address);
  const bool ok =
      port == 0 ? bind(fd, raw, sizeof(address)) == 0 && listen(fd, 8) == 0
                : connect(fd, raw, sizeof(address)) == 0;
  if (!ok) {
    close(fd);
    return -1;
  }
  return fd;
}

uint16_t PortOf(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

absl::Time RealtimeNow() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return absl::TimeFromTimespec(now);
}

// The real capture, on loopback: a connection that closes without data
// (a load generator's reachability check) is not a request; the first
// request is timed by the kernel while it was sent and received.
TEST(PcapStartObserverTest, TimesTheFirstRequestNotAConnectionWithoutData) {
  const int listener = LoopbackSocket(0);
  ASSERT_GE(listener, 0) << std::strerror(errno);
  const uint16_t port = PortOf(listener);
  std::unique_ptr<StartObserver> observer =
      MakePcapStartObserver(Clock::Real());
  const absl::Status begun =
      observer->Begin({"127.0.0.1",
                       port,
                       {TestLoadSource("lg", {"127.0.0.1"})},
                       absl::Seconds(10)});
  if (absl::StrContains(begun.message(), "CAP_NET_RAW")) {
    close(listener);
    GTEST_SKIP() << begun.message();
  }
  ASSERT_TRUE(begun.ok()) << begun;

  const int check = LoopbackSocket(port);
  ASSERT_GE(check, 0) << std::strerror(errno);
  close(check);
  close(accept(listener, nullptr, nullptr));

  const absl::Time before = RealtimeNow();
  const int client = LoopbackSocket(port);
  ASSERT_GE(client, 0) << std::strerror(errno);
  const std::string request = "GET / HTTP/1.1\r\n\r\n";
  ASSERT_EQ(send(client, request.data(), request.size(), 0),
            static_cast<ssize_t>(request.size()));
  // Received: the segment has passed the capture's tap.
  const int server = accept(listener, nullptr, nullptr);
  std::string received(request.size(), '\0');
  ASSERT_EQ(recv(server, received.data(), received.size(), MSG_WAITALL),
            static_cast<ssize_t>(request.size()));
  const absl::Time after = RealtimeNow();

  const std::vector<v1::ObservedStart> observed = observer->End();
  close(server);
  close(client);
  close(listener);
  EXPECT_TRUE(observer->capture_status().ok()) << observer->capture_status();
  ASSERT_EQ(observed.size(), 1u);
  EXPECT_EQ(observed[0].worker_id(), "lg");
  EXPECT_EQ(observed[0].address(), "127.0.0.1");
  const absl::Time first = TimeFromProto(observed[0].first_request());
  EXPECT_GE(first, before);
  EXPECT_LE(first, after);
}

}  // namespace
}  // namespace scalebench::worker
