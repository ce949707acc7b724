#include "common/free_ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "gtest/gtest.h"

namespace scalebench {
namespace {

TEST(FreePortsTest, TheEphemeralRangeIsReadOrLinuxsDefault) {
  EXPECT_EQ(ParseEphemeralRange("32768\t60999\n"),
            std::make_pair(32768, 60999));
  EXPECT_EQ(ParseEphemeralRange("40000 50000"), std::make_pair(40000, 50000));
  EXPECT_EQ(ParseEphemeralRange(""), std::make_pair(32768, 60999));
  EXPECT_EQ(ParseEphemeralRange("9 x"), std::make_pair(32768, 60999));
  EXPECT_EQ(ParseEphemeralRange("500 100"), std::make_pair(32768, 60999));
}

TEST(FreePortsTest, PortsComeFromBelowTheEphemeralRange) {
  EXPECT_EQ(PortRangeBelow({32768, 60999}), std::make_pair(20768, 32768));
  // Never below 1024 (privileged ports).
  EXPECT_EQ(PortRangeBelow({5000, 9000}), std::make_pair(1024, 5000));
}

TEST(FreePortsTest, DistinctBindablePortsOutsideTheEphemeralRange) {
  std::stringstream text;
  text << std::ifstream("/proc/sys/net/ipv4/ip_local_port_range").rdbuf();
  const std::pair<int, int> range =
      PortRangeBelow(ParseEphemeralRange(text.str()));
  absl::StatusOr<std::vector<uint16_t>> ports = FreePorts("127.0.0.1", 5);
  ASSERT_TRUE(ports.ok()) << ports.status();
  ASSERT_EQ(ports->size(), 5u);
  EXPECT_EQ(std::set<uint16_t>(ports->begin(), ports->end()).size(), 5u);
  for (uint16_t port : *ports) {
    EXPECT_GE(port, range.first);
    EXPECT_LT(port, range.second);
    // Free: a server can listen on it now.
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
        << port;
    close(fd);
  }
}

TEST(FreePortsTest, ABadAddressIsNamed) {
  absl::StatusOr<std::vector<uint16_t>> ports = FreePorts("localhost", 1);
  EXPECT_EQ(ports.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ports.status().message(), "'localhost' is not an IPv4 address");
}

}  // namespace
}  // namespace scalebench
