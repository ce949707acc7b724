// The HTTP endpoint that Prometheus scrapes (GET /metrics in the text
// exposition format), over prometheus-cpp's civetweb-based Exposer. One
// per process; it serves the collectables it was started with until it is
// destroyed. Thread-safe: scrapes run on the endpoint's own threads, so a
// collectable's Collect must be thread-safe.
#ifndef SCALEBENCH_COMMON_METRICS_ENDPOINT_H_
#define SCALEBENCH_COMMON_METRICS_ENDPOINT_H_

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace scalebench {

struct MetricsEndpointOptions {
  // host:port to serve plaintext HTTP on ("127.0.0.1:9300"); port 0 picks
  // a free one (MetricsEndpoint::address). Required.
  std::string listen;
  // Serve on an address other than loopback. Default false: the metrics
  // carry no secrets but do name workers and schedules, and the endpoint
  // has neither TLS nor authentication, so leaving the machine must be
  // asked for (--metrics-allow-remote), as plaintext gRPC is refused off
  // loopback (common/grpc_channel.h).
  bool allow_remote = false;
};

class MetricsEndpoint final {
 public:
  // Serves `collectables` (none may be null; the endpoint keeps them
  // alive) at /metrics. Errors: INVALID_ARGUMENT naming "metrics-listen"
  // for an empty or malformed address or a non-loopback one without
  // allow_remote; UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const MetricsEndpointOptions& options,
      std::vector<std::shared_ptr<prometheus::Collectable>> collectables);

  // Stops serving: returns once no scrape is running.
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // host:port served, with the port picked for port 0.
  const std::string& address() const { return address_; }
  int port() const { return port_; }

 private:
  MetricsEndpoint() = default;

  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string address_;
  int port_ = 0;
};

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_METRICS_ENDPOINT_H_
