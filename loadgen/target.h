// Where requests go and what they are: a parsed URL, its resolved socket
// address, and the request bytes, built once and sent unchanged for every
// request on the target's connections. Immutable after MakeTarget; safe to
// share between threads.
#ifndef SCALEBENCH_LOADGEN_TARGET_H_
#define SCALEBENCH_LOADGEN_TARGET_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "loadgen/options.h"

namespace scalebench::loadgen {

struct Url {
  std::string host;  // Without brackets for IPv6 literals.
  uint16_t port = 80;
  std::string path = "/";  // Path and query.
  // The Host header value: host, and ":port" unless it is 80.
  std::string authority;
};

// Parses "http://host[:port][/path]". Errors: INVALID_ARGUMENT naming the
// problem (another scheme such as https, a missing host, a bad port,
// characters that do not belong in a request line).
absl::StatusOr<Url> ParseUrl(absl::string_view text);

struct Target {
  std::string url;  // As given.
  sockaddr_storage address;
  socklen_t address_length = 0;
  std::string address_text;  // "127.0.0.1:8080", for messages.
  // The complete request: request line, headers, blank line, body.
  std::string request;
  bool head_request = false;
};

// Parses and resolves `url` and builds its request from `options`
// (method, headers, body, keep-alive). Errors: INVALID_ARGUMENT for a bad
// URL or header, NOT_FOUND when the host does not resolve.
absl::StatusOr<Target> MakeTarget(absl::string_view url,
                                  const LoadOptions& options);

// The request bytes for `url`: the request line, Host (unless given),
// "Connection: close" without keep-alive, the extra headers, and
// Content-Length with a body; nothing else, as wrk sends, so that the
// server does the same work whichever tool loads it. Exposed for tests.
std::string BuildRequest(const Url& url, const LoadOptions& options);

// INVALID_ARGUMENT unless `header` is "Name: value" with a token name and a
// value free of CR, LF and NUL (no header injection).
absl::Status ValidateHeader(absl::string_view header);

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_TARGET_H_
