#include "common/grpc_channel.h"

#include <arpa/inet.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace scalebench {
namespace {

// Splits "host:port" or "[v6]:port" into host and port; false if malformed.
bool SplitHostPort(absl::string_view address, absl::string_view* host) {
  absl::string_view port;
  if (absl::StartsWith(address, "[")) {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos) return false;
    *host = address.substr(1, close - 1);
    if (address.substr(close + 1, 1) != ":") return false;
    port = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos) return false;
    *host = address.substr(0, colon);
    if (absl::StrContains(*host, ':')) return false;  // v6 needs brackets
    port = address.substr(colon + 1);
  }
  int port_number;
  return !host->empty() && absl::SimpleAtoi(port, &port_number) &&
         port_number >= 0 && port_number <= 65535;
}

absl::Status CheckAddress(absl::string_view address,
                          const TransportSecurity& security) {
  absl::string_view host;
  if (!absl::StartsWith(address, "unix:") && !SplitHostPort(address, &host)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "address '", address, "' is not host:port, [ipv6]:port or unix:path"));
  }
  if (!security.plaintext()) {
    return absl::FailedPreconditionError(
        "TLS material was given, but this build supports plaintext on "
        "loopback only; mutual TLS is not implemented yet");
  }
  if (!IsLoopbackAddress(address)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing plaintext gRPC on '", address,
        "': plaintext is allowed on loopback (127.0.0.0/8, ::1, localhost, "
        "unix:) only"));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsLoopbackAddress(absl::string_view address) {
  if (absl::StartsWith(address, "unix:")) return true;
  absl::string_view host;
  if (!SplitHostPort(address, &host)) return false;
  if (host == "localhost") return true;
  const std::string host_str(host);
  in_addr v4;
  if (inet_pton(AF_INET, host_str.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, host_str.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    absl::string_view target, const TransportSecurity& security) {
  if (absl::Status s = CheckAddress(target, security); !s.ok()) return s;
  return grpc::CreateChannel(std::string(target),
                             grpc::InsecureChannelCredentials());
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    absl::string_view listen_address, const TransportSecurity& security) {
  if (absl::Status s = CheckAddress(listen_address, security); !s.ok()) {
    return s;
  }
  return grpc::InsecureServerCredentials();
}

}  // namespace scalebench
