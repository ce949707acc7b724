#include "loadgen/runner.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <climits>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/flag_values.h"
#include "common/status_macros.h"
#include "loadgen/event_loop.h"
#include "loadgen/start_plan.h"
#include "loadgen/target.h"

namespace scalebench::loadgen {
namespace {

// Descriptors beyond one per connection: stdio, epoll sets, slack.
constexpr uint64_t kExtraDescriptors = 64;
// The longest the reachability check waits for a connection.
constexpr absl::Duration kMaxPreflightWait = absl::Seconds(5);
// Progress reports: how often, and how often the reporter checks whether
// the run has ended.
constexpr int64_t kProgressIntervalNs = 1'000'000'000;
constexpr int64_t kProgressPollNs = 50'000'000;

int64_t MonotonicNs(const Clock& clock) {
  return absl::ToInt64Nanoseconds(clock.Monotonic());
}

// One TCP connection to `target`, to fail early and clearly when nothing
// listens, instead of counting a run's worth of connect errors.
absl::Status CheckReachable(const Target& target, absl::Duration wait) {
  const int fd = socket(target.address.ss_family,
                        SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("socket: ", std::strerror(errno)));
  }
  int error = 0;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&target.address),
              target.address_length) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      pollfd p = {fd, POLLOUT, 0};
      const int ready =
          poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(wait)));
      if (ready == 0) {
        error = ETIMEDOUT;
      } else {
        socklen_t len = sizeof(error);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
      }
    }
  }
  close(fd);
  if (error == 0) return absl::OkStatus();
  return absl::UnavailableError(
      absl::StrCat("cannot connect to ", target.address_text, " (", target.url,
                   "): ", std::strerror(error), "; is the server running?"));
}

google::protobuf::Duration ToProtoDuration(int64_t ns) {
  google::protobuf::Duration d;
  d.set_seconds(ns / 1'000'000'000);
  d.set_nanos(static_cast<int32_t>(ns % 1'000'000'000));
  return d;
}

// The settings part of a result, and the failure of a run that did not
// start.
v1::LoadgenResult SettingsResult(const LoadOptions& options, uint32_t threads) {
  v1::LoadgenResult r;
  r.set_source("local");
  r.set_mode(options.mode == Mode::kOpen ? v1::LOAD_MODE_OPEN
                                         : v1::LOAD_MODE_CLOSED);
  for (int cpu : options.cpus) r.add_cpus(static_cast<uint32_t>(cpu));
  r.set_connections(options.connections);
  r.set_threads(threads);
  r.set_target_rate(options.rate);
  for (const std::string& url : options.urls) r.add_urls(url);
  *r.mutable_latency() = results::Histogram().ToProto();
  return r;
}

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  const int64_t ns = absl::ToUnixNanos(t);
  google::protobuf::Timestamp out;
  out.set_seconds(ns / 1'000'000'000);
  out.set_nanos(static_cast<int32_t>(ns % 1'000'000'000));
  return out;
}

void SetLateStart(absl::Duration late_by, absl::Time planned_wall,
                  absl::Duration tolerance, v1::LoadgenResult* r) {
  v1::Failure* f = r->mutable_failure();
  f->set_kind(v1::FAILURE_KIND_LATE_START);
  f->set_reason(LateStartReason(late_by, planned_wall, tolerance));
}

v1::LoadgenResult ToResult(const LoadOptions& options, const ThreadStats& all,
                           int64_t window_ns, int64_t skew_ns,
                           absl::Time window_start_wall, uint32_t threads) {
  v1::LoadgenResult r = SettingsResult(options, threads);
  r.set_requests(all.requests);
  std::array<uint64_t, 5> classes{};  // 1xx ... 5xx.
  for (size_t i = 0; i < all.statuses.size(); ++i) {
    if (all.statuses[i] == 0) continue;
    classes[i / 100] += all.statuses[i];
    (*r.mutable_statuses())[static_cast<uint32_t>(100 + i)] = all.statuses[i];
  }
  v1::StatusClassCounts* counts = r.mutable_status_classes();
  counts->set_status_1xx(classes[0]);
  counts->set_status_2xx(classes[1]);
  counts->set_status_3xx(classes[2]);
  counts->set_status_4xx(classes[3]);
  counts->set_status_5xx(classes[4]);
  v1::ErrorCounts* errors = r.mutable_errors();
  errors->set_connect(all.errors[static_cast<int>(ErrorKind::kConnect)]);
  errors->set_read(all.errors[static_cast<int>(ErrorKind::kRead)]);
  errors->set_write(all.errors[static_cast<int>(ErrorKind::kWrite)]);
  errors->set_timeout(all.errors[static_cast<int>(ErrorKind::kTimeout)]);
  errors->set_parse(all.errors[static_cast<int>(ErrorKind::kParse)]);
  errors->set_status(all.errors[static_cast<int>(ErrorKind::kStatus)]);
  v1::ParseErrorCounts* causes = errors->mutable_parse_causes();
  auto cause = [&all](ParseCause c) {
    return all.parse_causes[static_cast<int>(c)];
  };
  causes->set_status_line(cause(ParseCause::kStatusLine));
  causes->set_header_syntax(cause(ParseCause::kHeaderSyntax));
  causes->set_headers_too_large(cause(ParseCause::kHeadersTooLarge));
  causes->set_content_length(cause(ParseCause::kContentLength));
  causes->set_chunk_syntax(cause(ParseCause::kChunkSyntax));
  causes->set_unsupported(cause(ParseCause::kUnsupported));
  causes->set_unexpected_data(cause(ParseCause::kUnexpectedData));
  r.set_bytes_received(all.bytes_received);
  r.set_bytes_sent(all.bytes_sent);
  *r.mutable_latency() = all.latency.ToProto();
  *r.mutable_start_time() = ToProtoTime(window_start_wall);
  *r.mutable_duration() = ToProtoDuration(window_ns);
  for (size_t s = 0; s < all.series.size(); ++s) {
    const SecondStats& in = all.series[s];
    v1::SecondSample* out = r.add_series();
    out->set_second(static_cast<uint32_t>(s));
    out->set_requests(in.requests);
    out->set_errors(in.errors);
    out->set_bytes(in.bytes);
    out->set_latency_sum_ns(in.latency_sum_ns);
    out->set_latency_max_ns(in.latency_max_ns);
  }
  *r.mutable_cpu_user() = ToProtoDuration(all.cpu_user_ns);
  *r.mutable_cpu_system() = ToProtoDuration(all.cpu_system_ns);
  *r.mutable_start_skew() = ToProtoDuration(skew_ns);
  r.set_warmup_requests(all.warmup_requests);
  return r;
}

// Calls `progress` once a second until every loop has finished.
void ReportProgress(const std::vector<std::unique_ptr<EventLoop>>& loops,
                    const RunPlan& run, const std::atomic<uint32_t>& running,
                    const std::function<void(const Progress&)>& progress,
                    const Clock& clock) {
  int64_t next =
      std::max(MonotonicNs(clock), run.start_ns) + kProgressIntervalNs;
  while (running.load() > 0) {
    const int64_t now = MonotonicNs(clock);
    if (now < next) {
      absl::SleepFor(absl::Nanoseconds(std::min(next - now, kProgressPollNs)));
      continue;
    }
    next += kProgressIntervalNs;
    Progress p;
    p.elapsed = absl::Nanoseconds(now - run.start_ns);
    p.warming_up = now < run.window_start_ns;
    p.requests = 0;
    p.errors = 0;
    for (const auto& loop : loops) {
      p.requests += loop->progress_requests();
      p.errors += loop->progress_errors();
    }
    progress(p);
  }
}

}  // namespace

absl::Status EnsureFileLimit(uint64_t needed) {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::InternalError(
        absl::StrCat("getrlimit: ", std::strerror(errno)));
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= needed) {
    return absl::OkStatus();
  }
  if (limit.rlim_cur == RLIM_INFINITY) return absl::OkStatus();
  rlimit raised = limit;
  raised.rlim_cur = needed;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) {
    raised.rlim_max = needed;  // Succeeds only with CAP_SYS_RESOURCE.
  }
  if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the run needs ", needed, " open files, but the limit is ",
        limit.rlim_cur, " (hard limit ", limit.rlim_max,
        ") and cannot be raised: use fewer connections, or raise the "
        "limit (ulimit -n, or LimitNOFILE= for a service)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::LoadgenResult> RunLoad(
    const LoadOptions& options,
    const std::function<void(const Progress&)>& progress, Clock* clock) {
  RETURN_IF_ERROR(ValidateOptions(options));
  std::vector<Target> targets;
  for (const std::string& url : options.urls) {
    ASSIGN_OR_RETURN(Target target, MakeTarget(url, options));
    targets.push_back(std::move(target));
  }
  RETURN_IF_ERROR(EnsureFileLimit(options.connections + kExtraDescriptors));
  for (const Target& target : targets) {
    RETURN_IF_ERROR(
        CheckReachable(target, std::min(options.timeout, kMaxPreflightWait)));
  }

  // Plan the instants on the monotonic clock; a wall-clock start instant is
  // converted once, here. Clock::Real()'s Monotonic() is CLOCK_MONOTONIC,
  // the clock the threads sleep and time on, so its nanoseconds are theirs.
  const uint32_t threads = EffectiveThreads(options);
  const StartPlan start = PlanStart(options, *clock);
  if (start.window_start - clock->Monotonic() > kMaxDuration) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the start instant (start_at) ",
        absl::FormatTime(absl::RFC3339_full, start.window_start_wall,
                         absl::UTCTimeZone()),
        " is more than the maximum of ", absl::FormatDuration(kMaxDuration),
        " ahead"));
  }
  if (start.late) {
    // Measuring now would measure a different window than the one the
    // other hosts measure: send nothing, and say how late.
    v1::LoadgenResult r = SettingsResult(options, threads);
    *r.mutable_start_time() = ToProtoTime(start.window_start_wall);
    *r.mutable_start_skew() =
        ToProtoDuration(absl::ToInt64Nanoseconds(start.late_by));
    *r.mutable_duration() = ToProtoDuration(0);
    SetLateStart(start.late_by, start.window_start_wall,
                 options.start_tolerance, &r);
    return r;
  }
  RunPlan run;
  run.targets = &targets;
  run.keepalive = options.keepalive;
  run.timeout_ns = absl::ToInt64Nanoseconds(options.timeout);
  run.start_ns = absl::ToInt64Nanoseconds(start.load_start);
  run.window_start_ns = absl::ToInt64Nanoseconds(start.window_start);
  const bool by_time = options.duration > absl::ZeroDuration();
  run.window_end_ns =
      by_time ? run.window_start_ns + absl::ToInt64Nanoseconds(options.duration)
              : INT64_MAX;
  if (options.mode == Mode::kOpen) {
    run.pacer = Pacer::Open(options.rate, options.connections, run.start_ns);
  }

  // Split connections, and the request count, as evenly as possible.
  std::vector<std::unique_ptr<EventLoop>> loops;
  uint32_t next_connection = 0;
  for (uint32_t t = 0; t < threads; ++t) {
    ThreadPlan plan;
    plan.first_connection = next_connection;
    plan.connections = options.connections / threads +
                       (t < options.connections % threads ? 1 : 0);
    next_connection += plan.connections;
    if (!by_time) {
      plan.request_quota =
          options.requests / threads + (t < options.requests % threads ? 1 : 0);
    }
    plan.cpu =
        options.cpus.empty() ? -1 : options.cpus[t % options.cpus.size()];
    loops.push_back(std::make_unique<EventLoop>(run, plan));
  }

  std::vector<absl::Status> statuses(threads);
  std::atomic<uint32_t> running{threads};
  std::vector<std::thread> workers;
  for (uint32_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      statuses[t] = loops[t]->Run();
      --running;
    });
  }
  if (progress) ReportProgress(loops, run, running, progress, *clock);
  for (std::thread& w : workers) w.join();
  for (const absl::Status& s : statuses) RETURN_IF_ERROR(s);

  ThreadStats all;
  for (const auto& loop : loops) all.Merge(loop->stats());
  // The window opened at its planned instant, or when the last thread
  // began if that was later (a late window fails a coordinated run). The
  // start skew is when the load truly began, its first request leaving
  // (the earliest thread's first step: what the wire shows), against when
  // it was planned to begin; signed.
  const int64_t opened_ns = std::max(run.window_start_ns, all.began_ns);
  const int64_t late_ns = opened_ns - run.window_start_ns;
  const int64_t skew_ns = all.first_began_ns - run.start_ns;
  // A time-bounded window lasts until its end; a count-bounded one until
  // its last request ended (as ab's "time taken").
  const int64_t window_ns = std::max<int64_t>(
      (by_time ? run.window_end_ns : all.last_done_ns) - opened_ns, 1);
  const absl::Time window_start_wall =
      start.window_start_wall + absl::Nanoseconds(late_ns);
  v1::LoadgenResult r =
      ToResult(options, all, window_ns, skew_ns, window_start_wall, threads);
  *r.mutable_start_skew_uncertainty() =
      ToProtoDuration(all.first_began_within_ns);
  // Late against a coordinated instant, the window is not the one the
  // other hosts measure. A run that planned its own start just began a
  // little later (the skew says by how much). Late only when surely so:
  // the last thread's first request left no earlier than its stated start
  // less its uncertainty (a first connect that took 16 ms under emulation
  // put the midpoint 8 ms after a wake on time).
  const absl::Duration late = absl::Nanoseconds(std::max<int64_t>(
      0, all.began_ns - all.began_within_ns - run.window_start_ns));
  if (options.start_at.has_value() && late > options.start_tolerance) {
    SetLateStart(late, start.window_start_wall, options.start_tolerance, &r);
  }
  return r;
}

}  // namespace scalebench::loadgen
