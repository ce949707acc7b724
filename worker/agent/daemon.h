// `scalebench-worker --coordinator ADDR`: the daemon. It removes what an
// earlier worker with its state dir left, reports its host facts, and
// synchronizes with the coordinator until SIGINT or SIGTERM, carrying out
// each desired state. Thread-compatible.
#ifndef SCALEBENCH_WORKER_AGENT_DAEMON_H_
#define SCALEBENCH_WORKER_AGENT_DAEMON_H_

#include <ostream>
#include <string>

#include "absl/synchronization/notification.h"
#include "common/clock.h"
#include "common/command_line.h"
#include "worker/agent/worker_host.h"

namespace scalebench::worker {

// The daemon's flags: the worker's own (worker_host.h, shared with
// run-trial), then the coordinator and how to reach it.
struct DaemonFlags : WorkerFlags {
  std::string coordinator;
  // Mutual TLS material (PEM files): the CA that signs the coordinator's
  // certificate, and this worker's certificate and key (deploy/pki/pki.sh
  // worker DIR ID). All empty = plaintext, allowed only on loopback.
  std::string ca;
  std::string cert;
  std::string key;
  // The name the coordinator's certificate is checked against when the
  // address dialled is not one it names (a worker behind NAT or a
  // forwarded port: a nested host's worker dials 10.0.2.2 for the host's
  // 127.0.0.1). Empty = the host of `coordinator`.
  std::string tls_server_name;
  // Where to serve Prometheus metrics (host:port, plaintext HTTP); empty
  // = none. Off loopback only with metrics_allow_remote.
  std::string metrics_listen;
  bool metrics_allow_remote = false;
  // Whether to log, at start, each platform and balancer this host cannot
  // run and why (`scalebench run` says it only when a spec needs one).
  bool log_unavailable = true;
};

// Adds the daemon's flags, the worker's among them, to the top level of
// `app`.
void AddDaemonFlags(CLI::App& app, DaemonFlags* flags);

// Runs the daemon until SIGINT or SIGTERM; the exit code. The stop
// signals must be blocked in every thread (BlockStopSignals).
// `clock` is the worker's time (see WorkerHost::Open).
int RunDaemon(const DaemonFlags& flags, Clock* clock, std::ostream& err);

// Runs the daemon until `stop` is notified (for `scalebench run`, which
// embeds a worker); the exit code. Returns early, without `stop`, when the
// flags or the host are unusable.
int RunDaemonUntil(const DaemonFlags& flags, Clock* clock,
                   absl::Notification& stop, std::ostream& err);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_DAEMON_H_
