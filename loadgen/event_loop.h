// One load-generator thread: an epoll loop driving its share of the
// connections, in the manner of wrk. Nothing is shared with other threads
// while running; the plan is read-only and the stats are the thread's own.
//
// Each thread runs with the minimum timer slack (1 ns), so timed wake-ups
// (the start, open-loop sends) are not deferred by the default 50 us.
//
// Per request on a kept-alive connection the loop makes one send() and
// usually one read(): sockets are registered once, edge-triggered, for
// both directions, and the next request is written as soon as the previous
// response is complete, without a trip through epoll.
#ifndef SCALEBENCH_LOADGEN_EVENT_LOOP_H_
#define SCALEBENCH_LOADGEN_EVENT_LOOP_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "loadgen/pacer.h"
#include "loadgen/response_parser.h"
#include "loadgen/target.h"
#include "loadgen/thread_stats.h"

namespace scalebench::loadgen {

// The timing and shape of a run, shared read-only by every thread.
struct RunPlan {
  const std::vector<Target>* targets = nullptr;
  bool keepalive = true;
  int64_t timeout_ns = 0;
  // Monotonic instants: when load begins (the warm-up starts), when the
  // measurement window starts, and when it ends (INT64_MAX when the run is
  // bounded by a request count instead).
  int64_t start_ns = 0;
  int64_t window_start_ns = 0;
  int64_t window_end_ns = 0;
  Pacer pacer = Pacer::Closed();
};

// This thread's share.
struct ThreadPlan {
  // Global indexes [first_connection, first_connection + connections).
  uint32_t first_connection = 0;
  uint32_t connections = 0;
  // Measured requests this thread sends in all, when bounded by count
  // (0 = bounded by time).
  uint64_t request_quota = 0;
  // Core to pin to, or -1.
  int cpu = -1;
};

class EventLoop {
 public:
  EventLoop(const RunPlan& run, const ThreadPlan& plan);
  ~EventLoop();

  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Waits for the start, then runs until every connection is done (the
  // window closed or the quota was sent, and in-flight requests ended).
  // Errors only for failures of the loop itself (epoll), not of requests.
  absl::Status Run();

  const ThreadStats& stats() const { return stats_; }

  // Measured requests and errors so far, for progress reports from another
  // thread while Run() is going; updated once per loop iteration.
  uint64_t progress_requests() const {
    return progress_requests_.load(std::memory_order_relaxed);
  }
  uint64_t progress_errors() const {
    return progress_errors_.load(std::memory_order_relaxed);
  }

 private:
  // Switches this thread to SCHED_FIFO at the lowest priority (on) or back
  // to SCHED_OTHER (off); whether it worked.
  static bool WakeInRealTime(bool on);

  enum class ConnState : uint8_t {
    kIdle,        // No request; socket may be open (kept alive).
    kWaiting,     // Open loop: waiting in the timer heap for its slot.
    kConnecting,  // Non-blocking connect in progress.
    kWriting,     // Request partly written; waiting for EPOLLOUT.
    kReading,     // Request written; parsing the response.
    kDone,        // No more requests for this connection.
  };

  struct Connection {
    int fd = -1;
    uint32_t generation = 0;  // Bumped per socket, to drop stale events.
    uint32_t global_index = 0;
    ConnState state = ConnState::kIdle;
    const Target* target = nullptr;
    ResponseParser parser;
    uint64_t sent_count = 0;  // Requests started on this connection.
    size_t write_offset = 0;
    int64_t origin_ns = 0;    // Latency origin of the request in flight.
    int64_t deadline_ns = 0;  // Timeout of the request in flight.
    uint64_t response_bytes = 0;
    bool measured = false;  // The request in flight is in the window.
  };

  // Starts the next request of `c`, or retires it if the run is over.
  void Next(Connection& c, int64_t now);
  // Sends (or connects, then sends) the request whose origin is set.
  void Issue(Connection& c, int64_t now);
  bool OpenSocket(Connection& c);
  void CloseSocket(Connection& c);
  void WriteRequest(Connection& c, int64_t now);
  // Reads and parses what has arrived. `until_empty`: read until the
  // socket reports EAGAIN or EOF, not just until a short read.
  void ReadResponse(Connection& c, bool until_empty);
  void HandleEvent(Connection& c, uint32_t events);
  // At connect completion, with data or a close already there: bytes are
  // unexpected data (they answer no request), a close is a read error.
  void ReadBeforeRequest(Connection& c);
  void Complete(Connection& c, int64_t now);
  void Fail(Connection& c, ErrorKind kind, int64_t now);
  // Fail with kParse, counted under `cause`.
  void FailParse(Connection& c, ParseCause cause, int64_t now);
  void Retire(Connection& c);
  void CheckTimeouts(int64_t now);
  // Whether another measured request may start at `origin`.
  bool MayStart(int64_t origin) const;
  uint32_t Index(const Connection& c) const {
    return static_cast<uint32_t>(&c - connections_.data());
  }

  const RunPlan run_;
  const ThreadPlan plan_;
  int epoll_fd_ = -1;
  std::vector<Connection> connections_;
  uint32_t active_ = 0;  // Connections not yet kDone.
  uint64_t quota_left_ = 0;
  std::vector<char> read_buffer_;
  // Connections that stopped reading after kMaxReadsPerTurn with data left.
  std::vector<uint32_t> unfinished_reads_;
  // When the thread's first connect() was called and when it returned
  // (monotonic ns); 0 before.
  int64_t first_connect_ns_ = 0;
  int64_t first_connect_end_ns_ = 0;
  // Open loop (and connect back-off): connections waiting for an instant.
  using Timer = std::pair<int64_t, uint32_t>;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  ThreadStats stats_;
  std::atomic<uint64_t> progress_requests_{0};
  std::atomic<uint64_t> progress_errors_{0};
};

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_EVENT_LOOP_H_
