// A running coordinator: the store, the worker registry, the scheduler, the
// nightly runner and webhook notifier, and both gRPC services on one
// listening port. Used by scalebench-coordinator
// and, in process, by `scalebench run`. Thread-safe.
#ifndef SCALEBENCH_COORDINATOR_RPC_SERVER_H_
#define SCALEBENCH_COORDINATOR_RPC_SERVER_H_

#include <grpcpp/server.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/grpc_channel.h"
#include "common/metrics_endpoint.h"
#include "coordinator/nightly/nightly_runner.h"
#include "coordinator/nightly/webhook_notifier.h"
#include "coordinator/rpc/coordinator_metrics.h"
#include "coordinator/rpc/coordinator_service.h"
#include "coordinator/rpc/worker_service.h"
#include "coordinator/store/stores.h"
#include "coordinator/trials/trial_scheduler.h"

namespace scalebench::coordinator {

struct ServerOptions {
  // host:port; port 0 picks a free one (see CoordinatorServer::address).
  std::string listen = "127.0.0.1:7300";
  // The SQLite file, created with its folder when missing (the folders
  // it creates with mode 0700, the file 0600: the store holds secrets).
  std::string db = "./scalebench-data/coordinator.db";
  // Plaintext (loopback only) or mutual TLS material.
  TransportSecurity security;
  WorkerRegistryOptions registry;
  SchedulerOptions scheduler;
  NightlyRunnerOptions nightly;
  WebhookNotifierOptions webhooks;
  // The Prometheus endpoint (docs/metrics.md); listen empty (the default)
  // serves none.
  MetricsEndpointOptions metrics;
  // How long Shutdown waits for open calls before cancelling them.
  absl::Duration shutdown_grace = absl::Seconds(5);
};

class CoordinatorServer final {
 public:
  // Opens the store, settles what a previous coordinator left running
  // (Scheduler::Recover), serves, and starts the scheduler. Errors:
  // INVALID_ARGUMENT naming the option (listen: plaintext off loopback;
  // db: its folder cannot be created; metrics-listen: malformed, or off
  // loopback without allow_remote), UNAVAILABLE when an address cannot be
  // bound, and the store's.
  static absl::StatusOr<std::unique_ptr<CoordinatorServer>> Start(
      const ServerOptions& options, Clock* clock);

  // Shutdown().
  ~CoordinatorServer();
  CoordinatorServer(const CoordinatorServer&) = delete;
  CoordinatorServer& operator=(const CoordinatorServer&) = delete;

  // Where it listens, with the port it picked for port 0.
  const std::string& address() const { return address_; }
  // Where the metrics are served (host:port), empty when they are not.
  std::string metrics_address() const {
    return metrics_endpoint_ == nullptr ? "" : metrics_endpoint_->address();
  }
  Stores& store() { return *store_; }

  // Stops the metrics endpoint, the notifier, the nightly runner and the
  // scheduler, ends held calls and watches, stops serving. Attempts in progress
  // stay in the store for the next start. Idempotent.
  void Shutdown();

 private:
  CoordinatorServer() = default;

  std::unique_ptr<Stores> store_;
  std::unique_ptr<WorkerRegistry> registry_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<NightlyRunner> nightly_;
  std::unique_ptr<CurlWebhookPoster> poster_;
  std::unique_ptr<WebhookNotifier> notifier_;
  std::unique_ptr<CoordinatorServiceImpl> coordinator_service_;
  std::unique_ptr<WorkerServiceImpl> worker_service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<CoordinatorMetrics> metrics_;
  std::unique_ptr<MetricsEndpoint> metrics_endpoint_;
  std::string address_;
  absl::Duration shutdown_grace_;
  bool shut_down_ = false;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_RPC_SERVER_H_
