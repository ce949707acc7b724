#include "common/metrics_endpoint.h"

#include <exception>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_channel.h"

namespace scalebench {
namespace {

// Threads serving scrapes: Prometheus scrapes one at a time per target.
constexpr size_t kServingThreads = 2;

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const MetricsEndpointOptions& options,
    std::vector<std::shared_ptr<prometheus::Collectable>> collectables) {
  const std::string& listen = options.listen;
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(absl::string_view(listen).substr(colon + 1), &port) ||
      port < 0 || port > 65535 || absl::StartsWith(listen, "unix:")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metrics-listen: \"", listen, "\" is not host:port (127.0.0.1:9300)"));
  }
  if (!options.allow_remote && !IsLoopbackAddress(listen)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metrics-listen: ", listen,
        " is not a loopback address; the metrics endpoint is plaintext "
        "HTTP without authentication: give --metrics-allow-remote to serve "
        "it off loopback"));
  }
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  endpoint->collectables_ = std::move(collectables);
  // civetweb reports a port it cannot bind by throwing; nothing else here
  // throws, and nothing is let out of this function.
  try {
    endpoint->exposer_ =
        std::make_unique<prometheus::Exposer>(listen, kServingThreads);
  } catch (const std::exception& error) {
    return absl::UnavailableError(absl::StrCat(
        "metrics-listen: cannot serve on ", listen, ": ", error.what()));
  }
  for (const auto& collectable : endpoint->collectables_) {
    endpoint->exposer_->RegisterCollectable(collectable);
  }
  const std::vector<int> ports = endpoint->exposer_->GetListeningPorts();
  endpoint->port_ = ports.empty() ? port : ports.front();
  endpoint->address_ =
      absl::StrCat(listen.substr(0, colon + 1), endpoint->port_);
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() {
  // The exposer's threads stop before the collectables may go.
  exposer_.reset();
}

}  // namespace scalebench
