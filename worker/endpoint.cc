#include "worker/endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace scalebench::worker {
namespace {

constexpr size_t kMaxHostname = 253;
constexpr size_t kMaxLabel = 63;
// Longest text form of an IPv6 address (with an embedded IPv4 tail).
constexpr size_t kMaxIpv6Text = 45;

bool IsIpv4(absl::string_view host) {
  if (host.size() > INET_ADDRSTRLEN) return false;
  in_addr addr;
  return inet_pton(AF_INET, std::string(host).c_str(), &addr) == 1;
}

bool IsIpv6(absl::string_view host) {
  if (host.size() > kMaxIpv6Text) return false;
  in6_addr addr;
  return inet_pton(AF_INET6, std::string(host).c_str(), &addr) == 1;
}

bool IsHostname(absl::string_view host) {
  if (host.empty() || host.size() > kMaxHostname) return false;
  for (absl::string_view label : absl::StrSplit(host, '.')) {
    if (label.empty() || label.size() > kMaxLabel) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return false;
      }
    }
  }
  return true;
}

absl::Status Invalid(absl::string_view what, absl::string_view value,
                     absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, " \"", absl::CEscape(value.substr(0, 300)),
                   "\" is not ", expected));
}

}  // namespace

std::string HostPort::ToString() const {
  return ipv6 ? absl::StrCat("[", host, "]:", port)
              : absl::StrCat(host, ":", port);
}

absl::Status ValidateHost(absl::string_view host, absl::string_view what) {
  if (IsIpv4(host) || IsIpv6(host) || IsHostname(host)) {
    return absl::OkStatus();
  }
  return Invalid(what, host, "an IPv4 or IPv6 address or a hostname");
}

absl::StatusOr<HostPort> MakeHostPort(absl::string_view host, uint32_t port,
                                      absl::string_view what) {
  if (absl::Status s = ValidateHost(host, what); !s.ok()) return s;
  if (port == 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": port ", port, " is not in 1..65535"));
  }
  HostPort result;
  result.host = std::string(host);
  result.port = static_cast<uint16_t>(port);
  result.ipv6 = IsIpv6(host);
  return result;
}

absl::StatusOr<HostPort> ParseEndpoint(absl::string_view endpoint,
                                       absl::string_view what) {
  constexpr absl::string_view kExpected =
      "host:port (an IPv4 address, [IPv6 address] or hostname, and a port "
      "in 1..65535)";
  const absl::string_view original = endpoint;
  absl::string_view host;
  absl::string_view port_text;
  if (absl::ConsumePrefix(&endpoint, "[")) {
    const size_t close = endpoint.find("]:");
    if (close == absl::string_view::npos)
      return Invalid(what, original, kExpected);
    host = endpoint.substr(0, close);
    port_text = endpoint.substr(close + 2);
    if (!IsIpv6(host)) return Invalid(what, original, kExpected);
  } else {
    const size_t colon = endpoint.rfind(':');
    if (colon == absl::string_view::npos)
      return Invalid(what, original, kExpected);
    host = endpoint.substr(0, colon);
    port_text = endpoint.substr(colon + 1);
    // An unbracketed IPv6 address is ambiguous; only IPv4 and names here.
    if (!IsIpv4(host) && !IsHostname(host)) {
      return Invalid(what, original, kExpected);
    }
  }
  uint32_t port = 0;
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(port_text, &port) || port == 0 || port > 65535) {
    return Invalid(what, original, kExpected);
  }
  return MakeHostPort(host, port, what);
}

absl::Status CheckCanListen(const HostPort& listen) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (listen.ipv6) {
    auto* addr = reinterpret_cast<sockaddr_in6*>(&storage);
    addr->sin6_family = AF_INET6;
    addr->sin6_port = htons(listen.port);
    inet_pton(AF_INET6, listen.host.c_str(), &addr->sin6_addr);
    length = sizeof(*addr);
  } else if (IsIpv4(listen.host)) {
    auto* addr = reinterpret_cast<sockaddr_in*>(&storage);
    addr->sin_family = AF_INET;
    addr->sin_port = htons(listen.port);
    inet_pton(AF_INET, listen.host.c_str(), &addr->sin_addr);
    length = sizeof(*addr);
  } else {
    return absl::OkStatus();
  }
  const int fd = socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("socket: ", std::strerror(errno)));
  }
  // As servers bind: connections in TIME_WAIT do not make a port busy.
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  const int result = bind(fd, reinterpret_cast<sockaddr*>(&storage), length);
  const int error = errno;
  close(fd);
  if (result != 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", listen.ToString(), ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace scalebench::worker
