#include "loadgen/target.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace scalebench::loadgen {
namespace {

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

// Whether `headers` sets `name` (case-insensitively).
bool HasHeader(const std::vector<std::string>& headers,
               absl::string_view name) {
  for (const std::string& h : headers) {
    const size_t colon = h.find(':');
    if (colon != std::string::npos &&
        absl::EqualsIgnoreCase(absl::string_view(h).substr(0, colon), name)) {
      return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<Url> ParseUrl(absl::string_view text) {
  const absl::string_view original = text;
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad URL '", original, "': ", why));
  };
  if (!absl::ConsumePrefix(&text, "http://")) {
    if (absl::StrContains(text, "://")) {
      return bad("only http:// is supported");
    }
    return bad("expected http://host[:port][/path]");
  }
  Url url;
  const size_t slash = text.find('/');
  absl::string_view authority = text.substr(0, slash);
  if (slash != absl::string_view::npos)
    url.path = std::string(text.substr(slash));
  for (char c : url.path) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return bad("the path contains a space or control character");
    }
  }
  if (absl::StrContains(authority, '@'))
    return bad("user info is not supported");
  absl::string_view port_text;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return bad("unclosed '[' in host");
    url.host = std::string(authority.substr(1, close - 1));
    absl::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (!absl::ConsumePrefix(&rest, ":")) return bad("junk after ']'");
      port_text = rest;
    }
  } else {
    const size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos)
      port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return bad("no host");
  for (char c : url.host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '-' && c != ':' && c != '_') {
      return bad("invalid character in host");
    }
  }
  if (!port_text.empty() || absl::EndsWith(authority, ":")) {
    int port = 0;
    if (!absl::SimpleAtoi(port_text, &port) || port < 1 || port > 65535) {
      return bad("the port must be a number from 1 to 65535");
    }
    url.port = static_cast<uint16_t>(port);
  }
  const std::string host_part = absl::StrContains(url.host, ':')
                                    ? absl::StrCat("[", url.host, "]")
                                    : url.host;
  url.authority =
      url.port == 80 ? host_part : absl::StrCat(host_part, ":", url.port);
  return url;
}

absl::Status ValidateHeader(absl::string_view header) {
  const size_t colon = header.find(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("header '", header, "' is not 'Name: value'"));
  }
  for (char c : header.substr(0, colon)) {
    if (!IsTokenChar(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "header name in '", header, "' has an invalid character"));
    }
  }
  for (char c : header.substr(colon + 1)) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return absl::InvalidArgumentError(
          absl::StrCat("header '", header, "' contains CR, LF or NUL"));
    }
  }
  return absl::OkStatus();
}

std::string BuildRequest(const Url& url, const LoadOptions& options) {
  std::string r = absl::StrCat(options.method, " ", url.path, " HTTP/1.1\r\n");
  if (!HasHeader(options.headers, "host")) {
    absl::StrAppend(&r, "Host: ", url.authority, "\r\n");
  }
  if (!options.keepalive && !HasHeader(options.headers, "connection")) {
    r += "Connection: close\r\n";
  }
  for (const std::string& h : options.headers) absl::StrAppend(&r, h, "\r\n");
  if (!options.body.empty() && !HasHeader(options.headers, "content-length")) {
    absl::StrAppend(&r, "Content-Length: ", options.body.size(), "\r\n");
  }
  r += "\r\n";
  r += options.body;
  return r;
}

absl::StatusOr<Target> MakeTarget(absl::string_view url_text,
                                  const LoadOptions& options) {
  absl::StatusOr<Url> url = ParseUrl(url_text);
  if (!url.ok()) return url.status();
  for (const std::string& h : options.headers) {
    if (absl::Status s = ValidateHeader(h); !s.ok()) return s;
  }
  for (char c : options.method) {
    if (!IsTokenChar(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("method '", options.method, "' is not an HTTP token"));
    }
  }

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = absl::StrCat(url->port);
  const int rc = getaddrinfo(url->host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return absl::NotFoundError(absl::StrCat("cannot resolve host '", url->host,
                                            "': ", gai_strerror(rc)));
  }
  Target target;
  target.url = std::string(url_text);
  std::memcpy(&target.address, found->ai_addr, found->ai_addrlen);
  target.address_length = found->ai_addrlen;
  freeaddrinfo(found);

  char text[INET6_ADDRSTRLEN] = "?";
  if (target.address.ss_family == AF_INET) {
    inet_ntop(AF_INET,
              &reinterpret_cast<sockaddr_in*>(&target.address)->sin_addr, text,
              sizeof(text));
    target.address_text = absl::StrCat(text, ":", url->port);
  } else {
    inet_ntop(AF_INET6,
              &reinterpret_cast<sockaddr_in6*>(&target.address)->sin6_addr,
              text, sizeof(text));
    target.address_text = absl::StrCat("[", text, "]:", url->port);
  }
  target.request = BuildRequest(*url, options);
  target.head_request = options.method == "HEAD";
  return target;
}

}  // namespace scalebench::loadgen
