// The one HTTP client of scalebench outside the load generator, over
// libcurl: a request (method, URL, or a unix socket such as Docker's,
// headers, a body from memory or a file), a deadline, and a bounded
// response. Used by the webhook notifier, the Docker Engine client and
// the tests that read /metrics. One connection per call; thread-safe.
#ifndef SCALEBENCH_COMMON_HTTP_CLIENT_H_
#define SCALEBENCH_COMMON_HTTP_CLIENT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace scalebench {

struct HttpRequest {
  // "GET", "POST", "DELETE", ...; default GET.
  std::string method = "GET";
  // "http://host:port/path?query". With `unix_socket` the host part is
  // only the Host header ("http://localhost/v1.41/_ping").
  std::string url;
  // When not empty: connect to this unix socket path instead of the URL's
  // host and port.
  std::string unix_socket;
  // Extra header lines, "Name: value". "Expect:" is always sent empty, so
  // an upload does not wait for "100 Continue".
  std::vector<std::string> headers;
  // The body; sent when not empty or when the method is POST.
  std::string body;
  // When not empty, the body is this file, streamed (`body` is ignored).
  std::string body_file;
  // Connecting may take this long; default 5 s.
  absl::Duration connect_timeout = absl::Seconds(5);
  // The whole exchange may take this long; default 30 s.
  absl::Duration timeout = absl::Seconds(30);
  // The most bytes of the response body kept; the rest is read and
  // dropped (HttpResponse::truncated). Default 16 MiB.
  size_t max_response_bytes = size_t{16} << 20;
  // The URL schemes allowed (libcurl's CURLOPT_PROTOCOLS_STR); default
  // "http,https", so a redirect or a user's URL cannot reach file:// etc.
  std::string protocols = "http,https";
};

struct HttpResponse {
  // The HTTP status code (200, 404, ...).
  long status = 0;
  // The body, at most max_response_bytes of it.
  std::string body;
  // Whether the body was longer than max_response_bytes.
  bool truncated = false;
};

// Sends `request` and reads the answer, whatever its status. UNAVAILABLE
// with libcurl's reason when there is no answer (refused, timed out, bad
// URL); NOT_FOUND "cannot open FILE" for a body_file that cannot be read.
// The messages do not repeat the URL: callers say what they called (a
// webhook's URL may hold a secret).
absl::StatusOr<HttpResponse> SendHttpRequest(const HttpRequest& request);

// A GET of `url` with `timeout`; the usual test and probe call.
absl::StatusOr<HttpResponse> HttpGet(
    const std::string& url, absl::Duration timeout = absl::Seconds(10));

// `text` percent-encoded for a URL's query or path segment (RFC 3986:
// everything but letters, digits and -._~).
std::string UrlEscape(absl::string_view text);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_HTTP_CLIENT_H_
