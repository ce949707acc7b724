// Host and endpoint values that reach a generated nginx or haproxy config:
// parsed and checked against strict patterns so nothing from a spec is ever
// pasted into a config raw. A host is an IPv4 or IPv6 literal or a hostname
// of [A-Za-z0-9.-]; an endpoint is "host:port" ("[v6]:port" for IPv6) with
// a port in 1..65535. Pure functions; thread-safe.
#ifndef SCALEBENCH_WORKER_ENDPOINT_H_
#define SCALEBENCH_WORKER_ENDPOINT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace scalebench::worker {

struct HostPort {
  // Without brackets: "127.0.0.1", "::1", "backend-1.example".
  std::string host;
  uint16_t port = 0;
  bool ipv6 = false;

  // "host:port", with the host in brackets when it is IPv6; the form both
  // nginx and haproxy accept.
  std::string ToString() const;
};

// OK when `host` is an IPv4 or IPv6 literal (no brackets) or a hostname
// ([A-Za-z0-9.-], labels of 1..63 characters not starting or ending with
// '-', 253 at most). INVALID_ARGUMENT naming `what` otherwise.
absl::Status ValidateHost(absl::string_view host, absl::string_view what);

// Builds a HostPort from a host and a port, both checked: INVALID_ARGUMENT
// naming `what` for a bad host or port 0.
absl::StatusOr<HostPort> MakeHostPort(absl::string_view host, uint32_t port,
                                      absl::string_view what);

// Parses "host:port" or "[ipv6]:port". INVALID_ARGUMENT naming `what` and
// quoting the value (escaped) for anything else.
absl::StatusOr<HostPort> ParseEndpoint(absl::string_view endpoint,
                                       absl::string_view what);

// UNAVAILABLE when a listening socket could not be bound on `listen` now
// (address in use, address not on this host); OK for a hostname, which is
// not checked. Servers retry a busy port for seconds before they exit, so
// starters check first to fail at once with a clear reason.
absl::Status CheckCanListen(const HostPort& listen);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_ENDPOINT_H_
