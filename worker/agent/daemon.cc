#include "worker/agent/daemon.h"

#include <signal.h>
#include <unistd.h>

#include <memory>
#include <thread>

#include "absl/synchronization/notification.h"
#include "api/enum_names.h"
#include "common/command_line.h"
#include "common/exit_codes.h"
#include "common/grpc_channel.h"
#include "common/metrics_endpoint.h"
#include "common/process_metrics.h"
#include "common/stop_signals.h"
#include "worker/agent/clock_burst.h"
#include "worker/agent/sync_client.h"
#include "worker/agent/trial_executor.h"
#include "worker/agent/trial_runner.h"
#include "worker/agent/worker_defaults.h"
#include "worker/agent/worker_metrics.h"
#include "worker/host_facts.h"
#include "worker/observe/start_observer.h"
#include "worker/spool.h"

namespace scalebench::worker {

void AddDaemonFlags(CLI::App& app, DaemonFlags* flags) {
  app.add_option("--coordinator", flags->coordinator,
                 "the coordinator to synchronize with, host:port")
      ->type_name("ADDR");
  AddWorkerFlags(app, flags, "the host name");
  AddTlsFileOptions(app,
                    {/*ca=*/"the CA certificate that signs the coordinator's",
                     /*cert=*/"this worker's certificate, naming its id",
                     /*key=*/"this worker's private key"},
                    &flags->ca, &flags->cert, &flags->key);
  app.add_option("--tls-server-name", flags->tls_server_name,
                 "mutual TLS: check the coordinator's certificate against "
                 "NAME instead of the host of --coordinator (when the "
                 "address dialled is a forwarded one, e.g. a nested host's "
                 "10.0.2.2 for the host's 127.0.0.1)")
      ->type_name("NAME");
  app.add_option("--metrics-listen", flags->metrics_listen,
                 "serve Prometheus metrics over plaintext HTTP at "
                 "http://ADDR/metrics, host:port (default: none; "
                 "docs/metrics.md)")
      ->type_name("ADDR")
      ->envname("SCALEBENCH_METRICS_LISTEN");
  app.add_flag("--metrics-allow-remote", flags->metrics_allow_remote,
               "allow --metrics-listen on an address other than loopback "
               "(the endpoint has no TLS and no authentication)");
}

int RunDaemon(const DaemonFlags& flags, Clock* clock, std::ostream& err) {
  // SIGINT and SIGTERM are blocked in every thread (main() blocks them
  // before any thread starts) and taken here by one thread with sigwait,
  // so they stop the loop cleanly instead of interrupting a phase.
  const sigset_t signals = StopSignals();
  absl::Notification stop;
  std::thread waiter([&] {
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    if (stop.HasBeenNotified()) return;  // Woken by ourselves, below.
    err << "scalebench-worker: stopping (signal " << signal_number << ")\n";
    stop.Notify();
  });
  const int exit_code = RunDaemonUntil(flags, clock, stop, err);
  if (!stop.HasBeenNotified()) {
    // The daemon gave up by itself: wake the waiter.
    stop.Notify();
    kill(getpid(), SIGTERM);
  }
  waiter.join();
  return exit_code;
}

int RunDaemonUntil(const DaemonFlags& flags, Clock* clock,
                   absl::Notification& stop, std::ostream& err) {
  if (flags.coordinator.empty()) {
    err << "scalebench-worker: give --coordinator ADDR to run as a worker, "
           "or a command (run-trial); see --help\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::unique_ptr<WorkerHost>> host =
      WorkerHost::Open(flags, DefaultWorkerName(), clock);
  if (!host.ok()) {
    err << "scalebench-worker: " << host.status().message() << "\n";
    return ExitCodeFor(host.status());
  }
  const WorkerContext& context = (*host)->context();
  DriverSet* drivers = &(*host)->drivers();
  absl::StatusOr<Spool> spool = Spool::Open(context.state_dir + "/spool");
  if (!spool.ok()) {
    err << "scalebench-worker: " << spool.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<TransportSecurity> security =
      LoadTransportSecurity(flags.ca, flags.cert, flags.key);
  if (!security.ok()) {
    err << "scalebench-worker: --ca/--cert/--key: "
        << security.status().message() << "\n";
    return kExitBadInput;
  }
  security->target_name_override = flags.tls_server_name;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(flags.coordinator, *security);
  if (!channel.ok()) {
    err << "scalebench-worker: --coordinator: " << channel.status().message();
    if (security->plaintext()) {
      err << "; off loopback give --ca, --cert and --key for mutual TLS "
             "(deploy/pki/pki.sh, docs/security.md)";
    }
    err << "\n";
    return kExitBadInput;
  }

  // Declared before the endpoint, which is destroyed (and stops reading
  // them) first.
  WorkerMetrics metrics;
  std::unique_ptr<MetricsEndpoint> metrics_endpoint;
  if (!flags.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<MetricsEndpoint>> endpoint =
        MetricsEndpoint::Start(
            {flags.metrics_listen, flags.metrics_allow_remote},
            {metrics.registry(), std::make_shared<ProcessMetrics>()});
    if (!endpoint.ok()) {
      err << "scalebench-worker: --" << endpoint.status().message() << "\n";
      return absl::IsInvalidArgument(endpoint.status()) ? kExitBadInput
                                                        : kExitRunFailed;
    }
    metrics_endpoint = *std::move(endpoint);
    err << "scalebench-worker: metrics on http://"
        << metrics_endpoint->address() << "/metrics\n";
  }
  if (absl::Status s = drivers->RecoverAll(); !s.ok()) {
    err << "scalebench-worker: removing what an earlier worker left: "
        << s.message() << "\n";
    return kExitRunFailed;
  }
  const std::vector<int>& cpus = (*host)->cpus();
  // What would fail every trial the same way is said once, in the facts,
  // so that the coordinator places nothing here that cannot run.
  std::vector<v1::Unavailable> unavailable = drivers->Unavailable();
  std::vector<Capability> platforms;
  for (const Capability& c : drivers->UsablePlatforms()) {
    if (cpus.empty()) {
      v1::Unavailable& u = unavailable.emplace_back();
      u.set_platform(static_cast<v1::Platform>(c.kind));
      u.set_reason(
          "no cores to pin targets to (--cpus, or this process's "
          "CPU affinity, is empty)");
      continue;
    }
    platforms.push_back(c);
  }
  for (const v1::Unavailable& u : unavailable) {
    if (!flags.log_unavailable) break;
    err << "scalebench-worker: cannot run "
        << (u.platform() != v1::PLATFORM_UNSPECIFIED
                ? "platform " + api::EnumName(u.platform())
                : "balancer " + api::EnumName(u.balancer()))
        << ": " << u.reason() << "\n";
  }
  // The versions of what runs here come with each capability.
  v1::HostFacts facts =
      MakeHostFacts(ReadHostEnvironment(), {flags.listen_address}, platforms,
                    drivers->UsableBalancers(), cpus);
  facts.MergeFrom(drivers->platform_facts());
  for (v1::Unavailable& u : unavailable)
    *facts.add_unavailable() = std::move(u);

  TrialRunner runner(context, drivers, cpus, flags.listen_address);
  ClockBurst clock_burst(
      GrpcClockExchange(*channel, context.name, context.clock));
  // Destroyed before the client, whose StateChanged its thread calls.
  auto executor = std::make_unique<TrialExecutor>(
      &runner, &*spool, context.name, &clock_burst, context.clock,
      [clock = context.clock] { return MakePcapStartObserver(clock); });
  SyncOptions options;
  options.worker_id = context.name;
  options.on_exchange = [&metrics](const absl::Status& status) {
    metrics.RecordExchange(status);
  };
  SyncClient client(*channel, options, facts, &*spool, executor.get(),
                    context.clock);
  executor->SetResultObserver([&metrics](const v1::WorkerResult& result) {
    metrics.RecordResult(result);
  });
  executor->SetChangeListener([&client] { client.StateChanged(); });

  err << "scalebench-worker: " << context.name << " (session "
      << client.session_id() << ") synchronizing with " << flags.coordinator
      << "\n";
  // A stop also ends the call the coordinator may be holding (a long poll
  // of up to 5 s), so the worker stops at once, not after the poll.
  std::thread interrupter([&] {
    stop.WaitForNotification();
    client.StateChanged();
  });
  client.Run(stop);
  interrupter.join();
  executor.reset();  // Tears down what runs.
  return kExitOk;
}

}  // namespace scalebench::worker
