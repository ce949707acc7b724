#include "coordinator/rpc/server.h"

#include <grpcpp/server_builder.h>

#include <chrono>
#include <filesystem>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/process_metrics.h"
#include "coordinator/store/store_file.h"

namespace scalebench::coordinator {
namespace {

// `listen` with a port of 0 replaced by the one the server picked.
std::string ListeningAddress(const std::string& listen, int port) {
  if (absl::EndsWith(listen, ":0")) {
    return absl::StrCat(listen.substr(0, listen.size() - 1), port);
  }
  return listen;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::Start(
    const ServerOptions& options, Clock* clock) {
  const std::filesystem::path db(options.db);
  if (db.has_parent_path()) {
    // Readable by the coordinator's user only: the store holds secrets.
    if (absl::Status s = CreatePrivateDirectories(db.parent_path().string());
        !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("db: ", s.message()));
    }
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(options.listen, options.security);
  if (!credentials.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: ", credentials.status().message()));
  }
  std::unique_ptr<CoordinatorServer> server(new CoordinatorServer());
  server->shutdown_grace_ = options.shutdown_grace;
  absl::StatusOr<std::unique_ptr<Stores>> store =
      Stores::Open(options.db, clock);
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  server->registry_ = std::make_unique<WorkerRegistry>(server->store_.get(),
                                                       clock, options.registry);
  if (absl::Status s = server->registry_->Recover(); !s.ok()) return s;
  server->scheduler_ = std::make_unique<Scheduler>(
      server->store_.get(), server->registry_.get(), clock, options.scheduler);
  if (absl::Status s = server->scheduler_->Recover(); !s.ok()) return s;
  Scheduler* scheduler = server->scheduler_.get();
  server->registry_->SetListener([scheduler] { scheduler->Wake(); });
  server->coordinator_service_ = std::make_unique<CoordinatorServiceImpl>(
      server->store_.get(), server->registry_.get());
  server->worker_service_ =
      std::make_unique<WorkerServiceImpl>(server->registry_.get(), clock);
  if (!options.metrics.listen.empty()) {
    server->metrics_ = std::make_shared<CoordinatorMetrics>(
        server->store_.get(), server->registry_.get());
    CoordinatorMetrics* metrics = server->metrics_.get();
    server->worker_service_->SetHandlingObserver(
        [metrics](absl::Duration handling) {
          metrics->ObserveSynchronize(handling);
        });
    absl::StatusOr<std::unique_ptr<MetricsEndpoint>> endpoint =
        MetricsEndpoint::Start(
            options.metrics,
            {server->metrics_, std::make_shared<ProcessMetrics>()});
    if (!endpoint.ok()) return endpoint.status();
    server->metrics_endpoint_ = *std::move(endpoint);
  }

  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, *credentials, &port);
  builder.RegisterService(server->coordinator_service_.get());
  builder.RegisterService(server->worker_service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen));
  }
  server->address_ = ListeningAddress(options.listen, port);
  server->scheduler_->Start();
  server->nightly_ = std::make_unique<NightlyRunner>(server->store_.get(),
                                                     clock, options.nightly);
  server->nightly_->Start();
  server->poster_ = std::make_unique<CurlWebhookPoster>();
  server->notifier_ = std::make_unique<WebhookNotifier>(
      server->store_.get(), clock, server->poster_.get(), options.webhooks);
  server->notifier_->Start();
  return server;
}

CoordinatorServer::~CoordinatorServer() { Shutdown(); }

void CoordinatorServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // No scrape reads the store or the registry after this.
  metrics_endpoint_.reset();
  if (notifier_ != nullptr) notifier_->Stop();
  if (nightly_ != nullptr) nightly_->Stop();
  if (scheduler_ != nullptr) scheduler_->Stop();
  // Held Synchronize calls and open watches first: Server::Shutdown waits
  // for them.
  if (registry_ != nullptr) registry_->Shutdown();
  if (coordinator_service_ != nullptr) coordinator_service_->Shutdown();
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(shutdown_grace_));
  }
}

}  // namespace scalebench::coordinator
