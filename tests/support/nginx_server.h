// A private nginx for tests: started on a free loopback port in its own
// temporary directory, with one worker process and a static page of a
// given size; stopped (by its pid) and removed when the object dies, even
// when the test fails. Not thread-safe.
#ifndef SCALEBENCH_TESTS_SUPPORT_NGINX_SERVER_H_
#define SCALEBENCH_TESTS_SUPPORT_NGINX_SERVER_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace scalebench::testing {

struct NginxOptions {
  // Size of the page served at "/". Default 612, as nginx's own.
  uint32_t page_bytes = 612;
  // Write an access log (one line per request) to dir()/access.log.
  bool access_log = true;
  uint32_t worker_processes = 1;
};

class NginxServer {
 public:
  // Errors: FAILED_PRECONDITION when nginx is not installed, INTERNAL when
  // it does not start (with its error log in the message).
  static absl::StatusOr<std::unique_ptr<NginxServer>> Start(
      const NginxOptions& options = {});

  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT/".
  std::string url() const;
  const std::string& dir() const { return dir_; }

  // Lines in the access log once it has stopped growing (nginx logs a
  // request just after sending its response, so the last lines may land
  // a moment after the client has seen them).
  uint64_t AccessLogLines() const;

 private:
  NginxServer(std::string dir, int port, pid_t pid)
      : dir_(std::move(dir)), port_(port), pid_(pid) {}

  std::string dir_;
  int port_;
  pid_t pid_;
};

// A TCP port on 127.0.0.1 that was free a moment ago, from below the
// ephemeral range (common/free_ports.h), so no bind to port 0 takes it.
absl::StatusOr<int> PickFreePort();

}  // namespace scalebench::testing

#endif  // SCALEBENCH_TESTS_SUPPORT_NGINX_SERVER_H_
