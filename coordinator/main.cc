// scalebench-coordinator: serves CoordinatorService (to the CLI) and
// WorkerService (to the workers) over one SQLite store, until SIGINT or
// SIGTERM.
#include <signal.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/command_line.h"
#include "common/exit_codes.h"
#include "common/grpc_channel.h"
#include "common/stop_signals.h"
#include "coordinator/rpc/server.h"

namespace scalebench::coordinator {
namespace {

constexpr char kDescription[] =
    "scalebench-coordinator: accepts experiments from the CLI, keeps them\n"
    "in a SQLite file, and synchronizes with the workers. Plaintext only on\n"
    "loopback; elsewhere give --ca, --cert and --key for mutual TLS.";
constexpr char kDefaultListen[] = "127.0.0.1:7300";
constexpr char kDefaultDb[] = "./scalebench-data/coordinator.db";
// How long a stop waits for open calls before cancelling them. An idle
// connected client may also hold the graceful close until its gRPC next
// reads the socket (its backup poller: every 5 s by default).
constexpr absl::Duration kShutdownGrace = absl::Seconds(5);

struct Flags {
  std::string listen = kDefaultListen;
  std::string db = kDefaultDb;
  std::string ca, cert, key;
  std::string metrics_listen;
  bool metrics_allow_remote = false;
};

// The server's message with its option spelled as the flag that sets it:
// "listen: ..." is "--listen: ...".
std::string FlagMessage(const absl::Status& status) {
  for (absl::string_view option : {"listen", "db", "metrics-listen"}) {
    if (absl::StartsWith(status.message(), absl::StrCat(option, ": "))) {
      return absl::StrCat("--", status.message());
    }
  }
  return std::string(status.message());
}

int Serve(const Flags& flags) {
  absl::StatusOr<TransportSecurity> security =
      LoadTransportSecurity(flags.ca, flags.cert, flags.key);
  if (!security.ok()) {
    std::cerr << "scalebench-coordinator: --ca/--cert/--key: "
              << security.status().message() << "\n";
    return kExitBadInput;
  }
  ServerOptions options;
  options.listen = flags.listen;
  options.db = flags.db;
  options.security = *security;
  options.shutdown_grace = kShutdownGrace;
  options.metrics.listen = flags.metrics_listen;
  options.metrics.allow_remote = flags.metrics_allow_remote;
  absl::StatusOr<std::unique_ptr<CoordinatorServer>> server =
      CoordinatorServer::Start(options, Clock::Real());
  if (!server.ok()) {
    std::cerr << "scalebench-coordinator: " << FlagMessage(server.status());
    if (absl::IsInvalidArgument(server.status()) && security->plaintext() &&
        absl::StartsWith(server.status().message(), "listen: ")) {
      std::cerr << "; off loopback give --ca, --cert and --key for mutual "
                   "TLS (deploy/pki/pki.sh, docs/security.md)";
    }
    std::cerr << "\n";
    return absl::IsInvalidArgument(server.status()) ? kExitBadInput
                                                    : kExitRunFailed;
  }
  std::cout << "scalebench-coordinator: listening on " << (*server)->address()
            << std::endl;
  if (!(*server)->metrics_address().empty()) {
    std::cout << "scalebench-coordinator: metrics on http://"
              << (*server)->metrics_address() << "/metrics" << std::endl;
  }

  // SIGINT and SIGTERM are blocked in every thread (Main blocks them before
  // any thread starts) and taken here with sigwait.
  const sigset_t signals = StopSignals();
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::cerr << "scalebench-coordinator: stopping (signal " << signal_number
            << ")\n";
  (*server)->Shutdown();
  return kExitOk;
}

int Main(const std::vector<std::string>& args) {
  BlockStopSignals();  // Before any thread starts.
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
  AddTlsFileOptions(
      app,
      {/*ca=*/"the CA certificate that signs the workers' and clients'",
       /*cert=*/"this coordinator's certificate",
       /*key=*/"this coordinator's private key"},
      &flags.ca, &flags.cert, &flags.key);
  app.add_option("--metrics-listen", flags.metrics_listen,
                 "serve Prometheus metrics over plaintext HTTP at "
                 "http://ADDR/metrics, host:port (default: none; "
                 "docs/metrics.md)")
      ->type_name("ADDR")
      ->envname("SCALEBENCH_METRICS_LISTEN");
  app.add_flag("--metrics-allow-remote", flags.metrics_allow_remote,
               "allow --metrics-listen on an address other than loopback "
               "(the endpoint has no TLS and no authentication)");
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
