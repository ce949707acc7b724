// What every private nginx the worker runs has in common (native targets
// and the nginx balancer): the main and events contexts, the http-level
// settings, and the command line. Each runs in the foreground with a
// master process, under its own prefix directory, and when the worker is
// root its workers run as nobody. Pure functions; thread-safe.
#ifndef SCALEBENCH_WORKER_NGINX_CONF_H_
#define SCALEBENCH_WORKER_NGINX_CONF_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace scalebench::worker {

// Debian's nginx.
inline constexpr char kDefaultNginxBinary[] = "/usr/sbin/nginx";

// A private nginx the worker runs: a native target or the nginx balancer.
struct NginxOptions {
  // The nginx binary. Default Debian's.
  std::string nginx_binary = kDefaultNginxBinary;
  // How long Stop() waits after SIGTERM before SIGKILL. Default 5 s.
  absl::Duration stop_grace = absl::Seconds(5);
};

struct NginxProcessConfig {
  // Absolute prefix directory (no trailing slash): config, logs, pid and
  // temp files go there.
  std::string prefix;
  // Worker processes; at least 1.
  uint32_t worker_processes = 1;
  // Worker i is pinned to cpus[i % cpus.size()] (worker_cpu_affinity);
  // empty = no affinity.
  std::vector<int> cpus;
  // Connections per worker.
  uint32_t worker_connections = 8192;
  // Whether the worker runs as root, so nginx's workers must run as
  // nobody.
  bool as_root = false;
  // worker_rlimit_nofile; 0 = not set (the inherited limit).
  uint64_t file_limit = 0;
};

// The whole nginx.conf: main and events contexts, then
// "http { <common settings> <http_body> }". `http_body` is trusted text
// built from validated values.
std::string NginxConfig(const NginxProcessConfig& config,
                        absl::string_view http_body);

// The worker_cpu_affinity masks for `workers` workers on `cpus`, e.g.
// "01 10" for two workers on cores 0 and 1; "" when cpus is empty.
std::string NginxCpuAffinity(uint32_t workers, const std::vector<int>& cpus);

// The file limit to ask for each worker: the hard RLIMIT_NOFILE, at most
// 65536 (a proxying worker holds two descriptors per connection).
uint64_t NginxFileLimit();

// When nginx's workers run as nobody they must reach files under `path`:
// FAILED_PRECONDITION naming the first directory above it (up to /) that
// others cannot search, e.g. a state dir under /root.
absl::Status CheckSearchableByOthers(absl::string_view path);

// Paths inside the prefix.
std::string NginxConfPath(absl::string_view prefix);
std::string NginxErrorLogPath(absl::string_view prefix);

// The command line that runs the config of `prefix` in the foreground.
std::vector<std::string> NginxCommand(absl::string_view binary,
                                      absl::string_view prefix);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_NGINX_CONF_H_
