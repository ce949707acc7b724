// scalebench-coordinator: serves CoordinatorService (to the CLI) and
// WorkerService (to the workers) over one SQLite store, until SIGINT or
// SIGTERM.
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/command_line.h"
#include "common/exit_codes.h"
#include "common/grpc_channel.h"
#include "coordinator/coordinator_service.h"
#include "coordinator/store.h"
#include "coordinator/worker_service.h"
#include "worker/agent/stop_signals.h"

namespace scalebench::coordinator {
namespace {

constexpr char kDescription[] =
    "scalebench-coordinator: accepts experiments from the CLI, keeps them\n"
    "in a SQLite file, and synchronizes with the workers. Plaintext only on\n"
    "loopback; elsewhere give --ca, --cert and --key for mutual TLS.";
constexpr char kDefaultListen[] = "127.0.0.1:7300";
constexpr char kDefaultDb[] = "./scalebench-data/coordinator.db";
// How often workers that stopped synchronizing are marked lost.
constexpr absl::Duration kExpireInterval = absl::Seconds(1);
// How long a stop waits for open calls before cancelling them. An idle
// connected client may also hold the graceful close until its gRPC next
// reads the socket (its backup poller: every 5 s by default).
constexpr absl::Duration kShutdownGrace = absl::Seconds(5);

struct Flags {
  std::string listen = kDefaultListen;
  std::string db = kDefaultDb;
  std::string ca, cert, key;
};

// The address to print: `listen` with a port of 0 replaced by the one
// the server picked.
std::string ListeningAddress(const std::string& listen, int port) {
  if (absl::EndsWith(listen, ":0")) {
    return absl::StrCat(listen.substr(0, listen.size() - 1), port);
  }
  return listen;
}

int Serve(const Flags& flags) {
  const std::filesystem::path db(flags.db);
  if (db.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(db.parent_path(), error);
    if (error) {
      std::cerr << "scalebench-coordinator: --db: cannot create "
                << db.parent_path() << ": " << error.message() << "\n";
      return kExitBadInput;
    }
  }
  absl::StatusOr<TransportSecurity> security =
      LoadTransportSecurity(flags.ca, flags.cert, flags.key);
  if (!security.ok()) {
    std::cerr << "scalebench-coordinator: --ca/--cert/--key: "
              << security.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(flags.listen, *security);
  if (!credentials.ok()) {
    std::cerr << "scalebench-coordinator: --listen: "
              << credentials.status().message();
    if (security->plaintext()) {
      std::cerr << "; off loopback give --ca, --cert and --key for mutual "
                   "TLS (deploy/pki/pki.sh, docs/security.md)";
    }
    std::cerr << "\n";
    return kExitBadInput;
  }

  Clock* clock = Clock::Real();
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(flags.db, clock);
  if (!store.ok()) {
    std::cerr << "scalebench-coordinator: --db " << flags.db << ": "
              << store.status().message() << "\n";
    return kExitRunFailed;
  }
  WorkerRegistry registry(store->get(), clock);
  if (absl::Status s = registry.Recover(); !s.ok()) {
    std::cerr << "scalebench-coordinator: recovering workers: " << s.message()
              << "\n";
    return kExitRunFailed;
  }
  CoordinatorServiceImpl coordinator_service(store->get(), &registry);
  WorkerServiceImpl worker_service(&registry, clock);

  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(flags.listen, *credentials, &port);
  builder.RegisterService(&coordinator_service);
  builder.RegisterService(&worker_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "scalebench-coordinator: cannot listen on " << flags.listen
              << "\n";
    return kExitRunFailed;
  }
  std::cout << "scalebench-coordinator: listening on "
            << ListeningAddress(flags.listen, port) << std::endl;

  // SIGINT and SIGTERM are blocked in every thread (Main blocks them before
  // any thread starts) and taken here by one thread with sigwait.
  absl::Notification stop;
  std::thread waiter([&] {
    const sigset_t signals = worker::StopSignals();
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    std::cerr << "scalebench-coordinator: stopping (signal " << signal_number
              << ")\n";
    stop.Notify();
  });
  std::thread expirer([&] {
    while (!stop.WaitForNotificationWithTimeout(kExpireInterval)) {
      registry.ExpireLost(clock->Wall());
    }
  });
  stop.WaitForNotification();
  // Held Synchronize calls and open watches first: Server::Shutdown waits
  // for them.
  registry.Shutdown();
  coordinator_service.Shutdown();
  server->Shutdown(std::chrono::system_clock::now() +
                   absl::ToChronoMilliseconds(kShutdownGrace));
  expirer.join();
  waiter.join();
  return kExitOk;
}

int Main(const std::vector<std::string>& args) {
  worker::BlockStopSignals();  // Before any thread starts.
  CommandLine command_line("scalebench-coordinator", kDescription);
  command_line.set_command_required(false);
  Flags flags;
  CLI::App& app = command_line.app();
  app.add_option(
         "--listen", flags.listen,
         absl::StrCat("host:port to serve on (default ", kDefaultListen, ")"))
      ->type_name("ADDR");
  app.add_option("--db", flags.db,
                 absl::StrCat("the SQLite store, created with its folder if "
                              "missing (default ",
                              kDefaultDb, ")"))
      ->type_name("PATH");
  app.add_option("--ca", flags.ca,
                 "mutual TLS: the CA certificate that signs the workers' and "
                 "clients' (default: SCALEBENCH_CA)")
      ->type_name("FILE")
      ->envname("SCALEBENCH_CA");
  app.add_option("--cert", flags.cert,
                 "mutual TLS: this coordinator's certificate (default: "
                 "SCALEBENCH_CERT)")
      ->type_name("FILE")
      ->envname("SCALEBENCH_CERT");
  app.add_option("--key", flags.key,
                 "mutual TLS: this coordinator's private key (default: "
                 "SCALEBENCH_KEY)")
      ->type_name("FILE")
      ->envname("SCALEBENCH_KEY");
  if (std::optional<int> exit =
          command_line.Parse(args, std::cout, std::cerr)) {
    return *exit;
  }
  return Serve(flags);
}

}  // namespace
}  // namespace scalebench::coordinator

int main(int argc, char** argv) {
  return scalebench::coordinator::Main(
      std::vector<std::string>(argv + 1, argv + argc));
}
