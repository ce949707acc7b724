// A deliberately misbehaving HTTP server for tests of the load generator:
// it listens on a free loopback port and answers every request in one
// chosen bad way (garbage, truncation, resets, stalls, oversized headers,
// endless bodies, ...). One thread per connection; everything is shut
// down and joined when the object dies. Thread-safe.
#ifndef SCALEBENCH_TESTS_SUPPORT_HOSTILE_SERVER_H_
#define SCALEBENCH_TESTS_SUPPORT_HOSTILE_SERVER_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace scalebench::testing {

enum class Behavior {
  kGood,                   // 200 with Content-Length, keep-alive.
  kGarbage,                // Bytes that are not HTTP.
  kTruncatedBody,          // Content-Length 1000, 10 bytes, then close.
  kCloseWithoutReply,      // Reads the request, closes.
  kReset,                  // Reads the request, resets the connection.
  kNeverReply,             // Reads the request, never answers.
  kOversizedHeaders,       // A 1 MiB header line.
  kEndlessBody,            // Content-Length 2^60, then body bytes forever.
  kBadChunk,               // Chunked with an invalid chunk size.
  kStatus500,              // A well-formed 500.
  kTrailingGarbage,        // A valid response followed by stray bytes.
  kSlowHeaders,            // One header byte every 50 ms.
  kConflictingLength,      // Two different Content-Length values.
  kEndlessInterim,         // "102 Processing" interim responses, forever.
  kOtherCodingWithLength,  // Transfer-Encoding: gzip and Content-Length 5,
                           // a longer body, then close.
  kEarlyReply,  // Answers 413 (keep-alive) on the request head, then reads
                // the body by its Content-Length, 50 ms later.
};

const char* BehaviorName(Behavior b);

class HostileServer {
 public:
  static absl::StatusOr<std::unique_ptr<HostileServer>> Start(Behavior b);
  ~HostileServer();
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  std::string url() const;
  // With kGood: hold every response until `until` (wall clock), as a
  // server that stalls does; responses resume afterwards.
  void StallUntil(absl::Time until);
  // Requests read so far, and connections accepted so far.
  int64_t requests() const { return requests_.load(); }
  int64_t connections() const { return connections_.load(); }

 private:
  HostileServer(Behavior b, int listen_fd, int port);
  void AcceptLoop();
  // Runs ServeConnection, then closes `fd`.
  void Serve(int fd);
  // Reads requests and answers them per behavior_ until the peer leaves
  // or the server stops.
  void ServeConnection(int fd);

  const Behavior behavior_;
  const int listen_fd_;
  const int port_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> connections_{0};
  std::atomic<int64_t> stall_until_unix_ns_{0};
  std::mutex mu_;
  std::vector<std::thread> threads_;  // Guarded by mu_.
  std::vector<int> fds_;              // Open connections; guarded by mu_.
  std::thread acceptor_;
};

}  // namespace scalebench::testing

#endif  // SCALEBENCH_TESTS_SUPPORT_HOSTILE_SERVER_H_
