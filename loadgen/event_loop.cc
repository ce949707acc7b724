#include "loadgen/event_loop.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "loadgen/epoll_wait.h"

namespace scalebench::loadgen {
namespace {

// One read drains a typical response; larger ones take several.
constexpr size_t kReadBufferBytes = 64 * 1024;
constexpr int kMaxEvents = 256;
// Reads per readiness event before other connections get a turn; a
// connection with more to read is revisited on the next iteration.
constexpr int kMaxReadsPerTurn = 8;
// How often in-flight requests are checked against their timeout.
constexpr int64_t kTimeoutScanNs = 50'000'000;
// A connection whose connect failed waits this long before trying again,
// so a dead server costs errors at a bounded rate rather than a busy loop.
constexpr int64_t kConnectRetryNs = 10'000'000;
// Timer slack of the loop threads: the least the kernel allows. The default
// 50 us would delay every timed wake-up, and so every open-loop send and
// the start, by up to that much.
constexpr unsigned long kTimerSlackNs = 1;  // NOLINT(runtime/int)

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// User and system CPU time of the calling thread.
void ThreadCpu(int64_t* user_ns, int64_t* system_ns) {
  rusage usage;
  getrusage(RUSAGE_THREAD, &usage);
  *user_ns = int64_t{usage.ru_utime.tv_sec} * 1'000'000'000 +
             int64_t{usage.ru_utime.tv_usec} * 1000;
  *system_ns = int64_t{usage.ru_stime.tv_sec} * 1'000'000'000 +
               int64_t{usage.ru_stime.tv_usec} * 1000;
}

// The cause under which a parser error is counted. kTruncated is a read
// error and never reaches here.
ParseCause CauseOf(ParseError error) {
  switch (error) {
    case ParseError::kStatusLine:
      return ParseCause::kStatusLine;
    case ParseError::kHeaderSyntax:
      return ParseCause::kHeaderSyntax;
    case ParseError::kHeadersTooLarge:
      return ParseCause::kHeadersTooLarge;
    case ParseError::kContentLength:
      return ParseCause::kContentLength;
    case ParseError::kChunkSyntax:
      return ParseCause::kChunkSyntax;
    case ParseError::kUnsupported:
    case ParseError::kNone:
    case ParseError::kTruncated:
      break;
  }
  return ParseCause::kUnsupported;
}

uint64_t EventData(uint32_t index, uint32_t generation) {
  return (uint64_t{generation} << 32) | index;
}

}  // namespace

EventLoop::EventLoop(const RunPlan& run, const ThreadPlan& plan)
    : run_(run),
      plan_(plan),
      connections_(plan.connections),
      quota_left_(plan.request_quota),
      read_buffer_(kReadBufferBytes) {
  const std::vector<Target>& targets = *run_.targets;
  for (uint32_t i = 0; i < plan_.connections; ++i) {
    Connection& c = connections_[i];
    c.global_index = plan_.first_connection + i;
    c.target = &targets[c.global_index % targets.size()];
  }
}

EventLoop::~EventLoop() {
  for (Connection& c : connections_) CloseSocket(c);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

bool EventLoop::MayStart(int64_t origin) const {
  if (origin >= run_.window_end_ns) return false;
  if (plan_.request_quota > 0 && origin >= run_.window_start_ns) {
    return quota_left_ > 0;
  }
  return true;
}

void EventLoop::Next(Connection& c, int64_t now) {
  const SendPlan p = run_.pacer.Plan(c.global_index, c.sent_count, now);
  if (!MayStart(p.origin_ns)) {
    Retire(c);
    return;
  }
  if (p.send_at_ns > now) {
    c.state = ConnState::kWaiting;
    timers_.push({p.send_at_ns, Index(c)});
    return;
  }
  c.origin_ns = p.origin_ns;
  c.measured = p.origin_ns >= run_.window_start_ns;
  if (c.measured && plan_.request_quota > 0) --quota_left_;
  ++c.sent_count;
  Issue(c, now);
}

void EventLoop::Issue(Connection& c, int64_t now) {
  c.deadline_ns = now + run_.timeout_ns;
  c.response_bytes = 0;
  c.write_offset = 0;
  c.parser.Reset(c.target->head_request);
  if (c.fd < 0) {
    if (!OpenSocket(c)) {
      Fail(c, ErrorKind::kConnect, now);
      return;
    }
    // On loopback the handshake has usually completed by the time connect()
    // returns, so try to send at once; if it has not, send() says EAGAIN
    // and EPOLLOUT brings us back.
    c.state = ConnState::kConnecting;
  }
  WriteRequest(c, now);
}

bool EventLoop::OpenSocket(Connection& c) {
  const Target& t = *c.target;
  c.fd = socket(t.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                0);
  if (c.fd < 0) return false;
  ++c.generation;
  if (run_.keepalive) {
    // Without keep-alive each connection carries one write, which Nagle's
    // algorithm never delays, so the option would only cost a syscall.
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  // The thread's first request leaves with this connect's SYN: the reads
  // around the call bracket it.
  const bool first = first_connect_ns_ == 0;
  if (first) first_connect_ns_ = NowNs();
  const int connected = connect(
      c.fd, reinterpret_cast<const sockaddr*>(&t.address), t.address_length);
  const int error = errno;
  if (first) first_connect_end_ns_ = NowNs();
  if (connected != 0 && error != EINPROGRESS) {
    CloseSocket(c);
    return false;
  }
  // Registered once for both directions, edge-triggered: no epoll_ctl per
  // request.
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = EventData(Index(c), c.generation);
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev) != 0) {
    CloseSocket(c);
    return false;
  }
  return true;
}

void EventLoop::CloseSocket(Connection& c) {
  if (c.fd < 0) return;
  close(c.fd);  // Also removes it from the epoll set.
  c.fd = -1;
}

void EventLoop::WriteRequest(Connection& c, int64_t now) {
  const std::string& request = c.target->request;
  while (c.write_offset < request.size()) {
    const ssize_t n = send(c.fd, request.data() + c.write_offset,
                           request.size() - c.write_offset, MSG_NOSIGNAL);
    if (n > 0) {
      c.write_offset += static_cast<size_t>(n);
      // Bytes went out, so the connection is up: a later failure is the
      // write's.
      if (c.state == ConnState::kConnecting) c.state = ConnState::kWriting;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (c.state != ConnState::kConnecting) c.state = ConnState::kWriting;
      return;
    } else {
      // Before the connection is known to be up, a failure is the
      // connect's (refused, unreachable), not the write's.
      Fail(c,
           c.state == ConnState::kConnecting ? ErrorKind::kConnect
                                             : ErrorKind::kWrite,
           now);
      return;
    }
  }
  if (c.measured) stats_.bytes_sent += request.size();
  c.state = ConnState::kReading;
}

void EventLoop::ReadResponse(Connection& c, bool until_empty) {
  char* const buffer = read_buffer_.data();
  for (int turn = 0;; ++turn) {
    if (turn == kMaxReadsPerTurn) {
      // Edge-triggered: no new event comes for data already queued, so
      // remember to come back.
      unfinished_reads_.push_back(Index(c));
      return;
    }
    const ssize_t n = read(c.fd, buffer, read_buffer_.size());
    if (n > 0) {
      c.response_bytes += static_cast<uint64_t>(n);
      size_t consumed = 0;
      const ResponseParser::Result r =
          c.parser.Feed(buffer, static_cast<size_t>(n), &consumed);
      if (r == ResponseParser::Result::kComplete) {
        // Nothing was pipelined, so bytes after the response are the
        // server's error.
        if (consumed != static_cast<size_t>(n)) {
          FailParse(c, ParseCause::kUnexpectedData, NowNs());
        } else {
          Complete(c, NowNs());
        }
        return;
      }
      if (r == ResponseParser::Result::kError) {
        FailParse(c, CauseOf(c.parser.error()), NowNs());
        return;
      }
      // A short read drained the data, and the next edge brings more. But
      // a close (or reset) already reported with this edge brings no
      // further edge: keep reading until it shows.
      if (!until_empty && static_cast<size_t>(n) < read_buffer_.size()) {
        return;
      }
      continue;
    }
    if (n == 0) {
      if (c.parser.FinishOnClose() == ResponseParser::Result::kComplete) {
        Complete(c, NowNs());
      } else {
        Fail(c, ErrorKind::kRead, NowNs());
      }
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    Fail(c, ErrorKind::kRead, NowNs());
    return;
  }
}

void EventLoop::ReadBeforeRequest(Connection& c) {
  char byte;
  const ssize_t n = recv(c.fd, &byte, 1, MSG_PEEK);
  if (n > 0) {
    FailParse(c, ParseCause::kUnexpectedData, NowNs());
  } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    WriteRequest(c, NowNs());  // Nothing after all.
  } else {
    Fail(c, ErrorKind::kRead, NowNs());  // Closed or reset.
  }
}

void EventLoop::HandleEvent(Connection& c, uint32_t events) {
  switch (c.state) {
    case ConnState::kConnecting:
      if (events & (EPOLLERR | EPOLLHUP)) {
        Fail(c, ErrorKind::kConnect, NowNs());
      } else if (events & (EPOLLIN | EPOLLRDHUP)) {
        // Connected, and the server has already spoken or closed, before
        // any byte of the request went out.
        ReadBeforeRequest(c);
      } else if (events & EPOLLOUT) {
        WriteRequest(c, NowNs());
      }
      return;
    case ConnState::kWriting:
      // A server may answer (say, 413) before the request is fully sent.
      if (events & (EPOLLIN | EPOLLRDHUP)) {
        c.state = ConnState::kReading;
        ReadResponse(c, (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
      } else if (events & (EPOLLERR | EPOLLHUP)) {
        Fail(c, ErrorKind::kWrite, NowNs());
      } else if (events & EPOLLOUT) {
        WriteRequest(c, NowNs());
      }
      return;
    case ConnState::kReading:
      if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
        ReadResponse(c, (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
      }
      return;
    case ConnState::kIdle:
    case ConnState::kWaiting:
      // A kept-alive socket between requests: the server closed it, or
      // sent something unasked. No request is affected; drop the socket
      // and reconnect for the next request.
      if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
        CloseSocket(c);
      }
      return;
    case ConnState::kDone:
      return;
  }
}

void EventLoop::Complete(Connection& c, int64_t now) {
  // A response that came before the request was all written (a server
  // answering early, say 413) leaves the rest of the request unsent: the
  // server would read the next request as its remainder.
  const bool request_sent = c.write_offset == c.target->request.size();
  const bool reuse = run_.keepalive && c.parser.keep_alive() && request_sent;
  if (c.measured) {
    const int status = c.parser.status_code();
    const uint64_t latency =
        now > c.origin_ns ? static_cast<uint64_t>(now - c.origin_ns) : 0;
    ++stats_.requests;
    if (status >= 100 && status < 600) ++stats_.statuses[status - 100];
    const bool ok = status >= 200 && status < 300;
    if (!ok) ++stats_.errors[static_cast<int>(ErrorKind::kStatus)];
    stats_.latency.Record(latency);
    stats_.bytes_received += c.response_bytes;
    SecondStats& second = stats_.Second(now - run_.window_start_ns);
    ++second.requests;
    if (!ok) ++second.errors;
    second.bytes += c.response_bytes;
    second.latency_sum_ns += latency;
    second.latency_max_ns = std::max(second.latency_max_ns, latency);
    stats_.last_done_ns = now;
  } else {
    ++stats_.warmup_requests;
  }
  if (!reuse) CloseSocket(c);
  c.state = ConnState::kIdle;
  Next(c, now);
}

void EventLoop::Fail(Connection& c, ErrorKind kind, int64_t now) {
  if (c.measured) {
    ++stats_.errors[static_cast<int>(kind)];
    ++stats_.Second(now - run_.window_start_ns).errors;
    stats_.bytes_received += c.response_bytes;
    stats_.last_done_ns = now;
  }
  CloseSocket(c);
  c.state = ConnState::kIdle;
  if (kind == ErrorKind::kConnect) {
    c.state = ConnState::kWaiting;
    timers_.push({now + kConnectRetryNs, Index(c)});
    return;
  }
  Next(c, now);
}

void EventLoop::FailParse(Connection& c, ParseCause cause, int64_t now) {
  if (c.measured) ++stats_.parse_causes[static_cast<int>(cause)];
  Fail(c, ErrorKind::kParse, now);
}

void EventLoop::Retire(Connection& c) {
  CloseSocket(c);
  if (c.state != ConnState::kDone) --active_;
  c.state = ConnState::kDone;
}

void EventLoop::CheckTimeouts(int64_t now) {
  for (Connection& c : connections_) {
    const bool in_flight = c.state == ConnState::kConnecting ||
                           c.state == ConnState::kWriting ||
                           c.state == ConnState::kReading;
    if (in_flight && now >= c.deadline_ns) Fail(c, ErrorKind::kTimeout, now);
  }
}

bool EventLoop::WakeInRealTime(bool on) {
  sched_param param = {};
  param.sched_priority = on ? sched_get_priority_min(SCHED_FIFO) : 0;
  return pthread_setschedparam(pthread_self(), on ? SCHED_FIFO : SCHED_OTHER,
                               &param) == 0;
}

absl::Status EventLoop::Run() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    return absl::InternalError(
        absl::StrCat("epoll_create1: ", std::strerror(errno)));
  }
  if (plan_.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(plan_.cpu, &set);
    const int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    if (rc != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot pin a thread to core ", plan_.cpu, ": ", std::strerror(rc)));
    }
  }
  prctl(PR_SET_TIMERSLACK, kTimerSlackNs);
  const timespec start = {static_cast<time_t>(run_.start_ns / 1'000'000'000),
                          static_cast<long>(run_.start_ns % 1'000'000'000)};
  // Wake at the start instant even on a busy core: for the sleep and the
  // first step of every connection only, the lowest real-time priority,
  // which preempts ordinary threads at once (a woken ordinary thread can
  // wait milliseconds for a busy core). Without the privilege (not root,
  // or a cgroup without real-time time) the sleep is an ordinary one.
  const bool realtime = WakeInRealTime(true);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &start, nullptr) ==
         EINTR) {
  }
  int64_t now = NowNs();
  // CPU is charged from the start of the measurement window.
  bool in_window = false;
  int64_t user_at_window = 0, system_at_window = 0;
  if (now >= run_.window_start_ns) {
    in_window = true;
    ThreadCpu(&user_at_window, &system_at_window);
  }
  // Every connection's first step (its connect, and its request when the
  // handshake is already done) is taken before the thread leaves real
  // time: in a cgroup that has used up its CPU quota an ordinary thread
  // waits for the next period, tens of milliseconds, before its first SYN
  // leaves (seen on the testbed: a start 21 ms late on the wire that the
  // wake-up time called 86 us). The thread began with its first request,
  // whose SYN leaves within its first connect: the midpoint of the reads
  // around that call, within half their distance (the SYN left 2 to 270 us
  // after the read before it on the testbed); the wake-up when it connected
  // nothing.
  active_ = static_cast<uint32_t>(connections_.size());
  for (size_t i = 0; i < connections_.size(); ++i) {
    Next(connections_[i], now);
    // Other load threads woken at the same instant on this core (another
    // load generator's, where hosts share cores) take their first steps
    // in turn rather than after all of this one's.
    if (realtime) sched_yield();
  }
  if (first_connect_ns_ != 0) {
    stats_.began_ns = (first_connect_ns_ + first_connect_end_ns_) / 2;
    stats_.began_within_ns = (first_connect_end_ns_ - first_connect_ns_) / 2;
  } else {
    stats_.began_ns = now;
  }
  stats_.first_began_ns = stats_.began_ns;
  stats_.first_began_within_ns = stats_.began_within_ns;
  if (realtime) {
    WakeInRealTime(false);
    // Leaving real time resets the timer slack to the default.
    prctl(PR_SET_TIMERSLACK, kTimerSlackNs);
  }

  epoll_event events[kMaxEvents];
  int64_t next_scan = now + kTimeoutScanNs;
  while (active_ > 0) {
    int64_t wake = unfinished_reads_.empty() ? next_scan : now;
    if (!timers_.empty()) wake = std::min(wake, timers_.top().first);
    if (!in_window) wake = std::min(wake, run_.window_start_ns);
    const int64_t wait_ns = std::max<int64_t>(0, wake - now);
    const int n = WaitForEvents(epoll_fd_, events, kMaxEvents, wait_ns);
    if (n < 0 && errno != EINTR) {
      return absl::InternalError(
          absl::StrCat("epoll wait: ", std::strerror(errno)));
    }
    for (int i = 0; i < n; ++i) {
      const uint32_t index = static_cast<uint32_t>(events[i].data.u64);
      const uint32_t generation =
          static_cast<uint32_t>(events[i].data.u64 >> 32);
      Connection& c = connections_[index];
      if (c.fd < 0 || c.generation != generation) continue;  // Stale.
      HandleEvent(c, events[i].events);
    }
    if (!unfinished_reads_.empty()) {
      std::vector<uint32_t> again;
      again.swap(unfinished_reads_);
      for (uint32_t index : again) {
        Connection& c = connections_[index];
        if (c.state == ConnState::kReading) ReadResponse(c, true);
      }
    }
    now = NowNs();
    while (!timers_.empty() && timers_.top().first <= now) {
      Connection& c = connections_[timers_.top().second];
      timers_.pop();
      if (c.state == ConnState::kWaiting) Next(c, now);
    }
    if (now >= next_scan) {
      CheckTimeouts(now);
      next_scan = now + kTimeoutScanNs;
    }
    progress_requests_.store(stats_.requests, std::memory_order_relaxed);
    progress_errors_.store(stats_.TotalErrors(), std::memory_order_relaxed);
    if (!in_window && now >= run_.window_start_ns) {
      in_window = true;
      ThreadCpu(&user_at_window, &system_at_window);
    }
  }
  int64_t user_end = 0, system_end = 0;
  ThreadCpu(&user_end, &system_end);
  if (in_window) {
    stats_.cpu_user_ns = user_end - user_at_window;
    stats_.cpu_system_ns = system_end - system_at_window;
  }
  return absl::OkStatus();
}

}  // namespace scalebench::loadgen
