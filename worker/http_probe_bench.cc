// What one readiness probe costs: worker/http_probe.h's raw-socket
// ProbeHttp against a GET through common/http_client.h (libcurl), each
// against the same local server that answers every connection with
// "200 OK". Alternates the two in rounds so that other load on the host
// hits both alike; prints microseconds per probe and their ratio.
// Usage: http_probe_bench [PROBES=2000]  (bench/http_probe_cost.sh)
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/http_client.h"
#include "worker/http_probe.h"

namespace {

constexpr char kAnswer[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
constexpr int kRounds = 10;

}  // namespace

int main(int argc, char** argv) {
  const int probes = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listener, 128) != 0) {
    std::perror("http_probe_bench: listen");
    return 1;
  }
  socklen_t len = sizeof(addr);
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string endpoint = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));
  std::thread server([listener] {
    char buffer[1024];
    while (true) {
      const int conn = accept(listener, nullptr, nullptr);
      if (conn < 0) return;
      (void)!read(conn, buffer, sizeof(buffer));
      (void)!write(conn, kAnswer, sizeof(kAnswer) - 1);
      close(conn);
    }
  });
  scalebench::Clock& clock = *scalebench::Clock::Real();
  const std::string url = absl::StrCat("http://", endpoint, "/");
  absl::Duration raw, curl;
  int failures = 0;
  for (int round = 0; round < kRounds; ++round) {
    absl::Duration start = clock.Monotonic();
    for (int i = 0; i < probes / kRounds; ++i) {
      if (!scalebench::worker::ProbeHttp(endpoint, clock).ok()) ++failures;
    }
    raw += clock.Monotonic() - start;
    start = clock.Monotonic();
    for (int i = 0; i < probes / kRounds; ++i) {
      absl::StatusOr<scalebench::HttpResponse> r =
          scalebench::HttpGet(url, absl::Seconds(1));
      if (!r.ok() || r->status != 200) ++failures;
    }
    curl += clock.Monotonic() - start;
  }
  shutdown(listener, SHUT_RDWR);
  close(listener);
  server.join();
  const int n = probes / kRounds * kRounds;
  const double raw_us = absl::ToDoubleMicroseconds(raw) / n;
  const double curl_us = absl::ToDoubleMicroseconds(curl) / n;
  std::printf(
      "probes=%d raw_us_per_probe=%.1f libcurl_us_per_probe=%.1f "
      "libcurl/raw=%.2f failures=%d\n",
      n, raw_us, curl_us, curl_us / raw_us, failures);
  return failures == 0 ? 0 : 1;
}
