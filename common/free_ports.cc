#include "common/free_ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace scalebench {
namespace {

constexpr std::pair<int, int> kLinuxDefaultRange = {32768, 60999};
constexpr int kLowestPort = 1024;

}  // namespace

std::pair<int, int> ParseEphemeralRange(absl::string_view text) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(text, absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
  int low = 0, high = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &low) ||
      !absl::SimpleAtoi(parts[1], &high) || low < 1 || high < low ||
      high > 65535) {
    return kLinuxDefaultRange;
  }
  return {low, high};
}

std::pair<int, int> PortRangeBelow(std::pair<int, int> ephemeral) {
  const int high = ephemeral.first;
  const int low = std::max(kLowestPort, high - kPortSpan);
  return {low, std::max(low, high)};
}

absl::StatusOr<std::vector<uint16_t>> FreePorts(const std::string& address,
                                                int count) {
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", address, "' is not an IPv4 address"));
  }
  std::stringstream text;
  text << std::ifstream("/proc/sys/net/ipv4/ip_local_port_range").rdbuf();
  const auto [low, high] = PortRangeBelow(ParseEphemeralRange(text.str()));
  const int span = high - low;
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  if (span > 0) {
    std::mt19937 random(std::random_device{}());
    const int start = std::uniform_int_distribution<int>(0, span - 1)(random);
    for (int i = 0; i < span && static_cast<int>(ports.size()) < count; ++i) {
      const int port = low + (start + i) % span;
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) break;
      sockaddr_in at = addr;
      at.sin_port = htons(static_cast<uint16_t>(port));
      if (bind(fd, reinterpret_cast<const sockaddr*>(&at), sizeof(at)) == 0) {
        fds.push_back(fd);
        ports.push_back(static_cast<uint16_t>(port));
      } else {
        close(fd);
      }
    }
  }
  for (int fd : fds) close(fd);
  if (static_cast<int>(ports.size()) < count) {
    return absl::ResourceExhaustedError(
        absl::StrCat("only ", ports.size(), " of ", count, " ports free on ",
                     address, " in ", low, "-", high - 1));
  }
  return ports;
}

}  // namespace scalebench
