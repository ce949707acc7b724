#include "tests/scale/simulated_workers.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "api/attempt_keys.h"
#include "common/proto_time.h"
#include "results/histogram.h"

namespace scalebench::scale {
namespace {

// How long a call may take: above the coordinator's hold.
constexpr absl::Duration kCallTimeout = absl::Seconds(30);
constexpr absl::Duration kRetryDelay = absl::Milliseconds(200);

// A measurement of 1000 requests of 1 ms: small, valid, mergeable.
v1::WorkerResult SyntheticResult(const v1::AttemptKey& key,
                                 const std::string& worker, absl::Time start,
                                 absl::Duration length) {
  static const v1::LatencyHistogram* const kLatency = [] {
    results::Histogram histogram;
    for (int i = 0; i < 1000; ++i) histogram.Record(1'000'000);
    return new v1::LatencyHistogram(histogram.ToProto());
  }();
  v1::WorkerResult result;
  *result.mutable_key() = key;
  result.set_worker_id(worker);
  v1::LoadgenResult& load = *result.mutable_loadgen();
  load.set_source(worker);
  load.set_mode(v1::LOAD_MODE_CLOSED);
  load.set_requests(1000);
  load.mutable_status_classes()->set_status_2xx(1000);
  *load.mutable_latency() = *kLatency;
  *load.mutable_start_time() = TimeToProto(start);
  *load.mutable_duration() = DurationToProto(length);
  return result;
}

}  // namespace

TimerThread::TimerThread() : thread_([this] { Loop(); }) {}

TimerThread::~TimerThread() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void TimerThread::At(absl::Duration deadline, std::function<void()> callback) {
  absl::MutexLock lock(&mu_);
  items_.push(Item{deadline, next_order_++, std::move(callback)});
}

void TimerThread::Loop() {
  absl::MutexLock lock(&mu_);
  while (!stop_) {
    const absl::Duration now = Clock::Real()->Monotonic();
    if (!items_.empty() && items_.top().deadline <= now) {
      std::function<void()> callback = items_.top().callback;
      items_.pop();
      mu_.Unlock();
      callback();
      mu_.Lock();
      continue;
    }
    // Short waits: At() does not signal, so a new earlier item is seen
    // within 5 ms.
    absl::Duration wait = absl::Milliseconds(5);
    if (!items_.empty()) wait = std::min(wait, items_.top().deadline - now);
    mu_.AwaitWithTimeout(absl::Condition(&stop_), wait);
  }
}

struct SimulatedWorkers::Call {
  grpc::ClientContext context;
  v1::SynchronizeRequest request;
  v1::SynchronizeResponse response;
  absl::Time t1;
  bool cancelled = false;  // By the worker, for a new state.
};

struct SimulatedWorkers::Worker {
  Worker(std::string id_in, absl::Duration skew)
      : id(std::move(id_in)), clock(skew) {}
  const std::string id;
  SkewedClock clock;
  std::string session;
  std::unique_ptr<v1::WorkerService::Stub> stub;
  absl::Mutex mu;
  v1::WorkerState current ABSL_GUARDED_BY(mu);
  std::vector<v1::WorkerResult> pending ABSL_GUARDED_BY(mu);
  v1::ClockSample previous ABSL_GUARDED_BY(mu);
  bool sent_facts ABSL_GUARDED_BY(mu) = false;
  std::shared_ptr<Call> inflight ABSL_GUARDED_BY(mu);
};

SimulatedWorkers::SimulatedWorkers(std::string coordinator, int count,
                                   absl::Duration hold)
    : coordinator_(std::move(coordinator)), hold_(hold) {
  samples_.resize(1);
  for (int i = 0; i < count; ++i) {
    // Skews from -2 s to +2 s, different for every worker.
    const absl::Duration skew = absl::Milliseconds((i * 7919) % 4001 - 2000);
    auto w = std::make_unique<Worker>(absl::StrCat("sim-", i), skew);
    w->session =
        absl::StrCat("session-", i, "-", absl::ToUnixNanos(absl::Now()));
    grpc::ChannelArguments args;
    // One connection per worker, as separate hosts would have.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetString("scalebench.simulated_worker", w->id);
    w->stub = v1::WorkerService::NewStub(grpc::CreateCustomChannel(
        coordinator_, grpc::InsecureChannelCredentials(), args));
    {
      absl::MutexLock lock(&w->mu);
      w->current.mutable_idle();
    }
    workers_.push_back(std::move(w));
  }
}

SimulatedWorkers::~SimulatedWorkers() { Stop(); }

void SimulatedWorkers::Start() {
  for (auto& w : workers_) Send(*w);
}

void SimulatedWorkers::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && outstanding_ == 0) return;
    stopping_ = true;
  }
  for (auto& w : workers_) {
    std::shared_ptr<Call> call;
    {
      absl::MutexLock lock(&w->mu);
      call = w->inflight;
      if (call) call->cancelled = true;
    }
    if (call) call->context.TryCancel();
  }
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](int* n) { return *n == 0; }, &outstanding_));
}

void SimulatedWorkers::set_phase(int phase) {
  absl::MutexLock lock(&mu_);
  phase_ = phase;
  if (static_cast<int>(samples_.size()) <= phase) samples_.resize(phase + 1);
}

SyncSamples SimulatedWorkers::Samples(int phase) const {
  absl::MutexLock lock(&mu_);
  if (phase >= static_cast<int>(samples_.size())) return {};
  return samples_[phase];
}

void SimulatedWorkers::Record(Kind kind, double ms) {
  absl::MutexLock lock(&mu_);
  SyncSamples& s = samples_[phase_];
  switch (kind) {
    case Kind::kAnswered:
      s.answered_ms.push_back(ms);
      break;
    case Kind::kAnsweredServer:
      s.answered_server_ms.push_back(ms);
      break;
    case Kind::kUplink:
      s.answered_uplink_ms.push_back(ms);
      break;
    case Kind::kReaction:
      s.reaction_ms.push_back(ms);
      break;
    case Kind::kOverrun:
      s.hold_overrun_ms.push_back(ms);
      break;
  }
}

void SimulatedWorkers::Send(Worker& w) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    ++outstanding_;
  }
  auto call = std::make_shared<Call>();
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + kCallTimeout));
  {
    absl::MutexLock lock(&w.mu);
    v1::SynchronizeRequest& r = call->request;
    r.set_worker_id(w.id);
    r.set_session_id(w.session);
    if (!w.sent_facts) {
      r.mutable_facts()->add_platforms(v1::PLATFORM_NATIVE);
    }
    *r.mutable_current() = w.current;
    for (size_t i = 0; i < w.pending.size() && i < 16; ++i) {
      *r.add_results() = w.pending[i];
    }
    *r.mutable_previous_clock() = w.previous;
    call->t1 = w.clock.Wall();
    *r.mutable_send_time() = TimeToProto(call->t1);
    w.inflight = call;
  }
  w.stub->async()->Synchronize(&call->context, &call->request, &call->response,
                               [this, &w, call](grpc::Status status) {
                                 OnDone(w, call, std::move(status));
                               });
}

void SimulatedWorkers::OnDone(Worker& w, std::shared_ptr<Call> call,
                              grpc::Status status) {
  const absl::Time t4 = w.clock.Wall();
  bool again = true;
  absl::Duration delay = absl::ZeroDuration();
  {
    absl::MutexLock lock(&w.mu);
    if (w.inflight == call) w.inflight.reset();
    if (!status.ok()) {
      if (!call->cancelled) {
        absl::MutexLock lock2(&mu_);
        ++samples_[phase_].errors;
        delay = kRetryDelay;
      }
    } else {
      w.sent_facts = true;
      const v1::SynchronizeResponse& resp = call->response;
      const absl::Duration round_trip = t4 - call->t1;
      const absl::Duration server = TimeFromProto(resp.transmit_time()) -
                                    TimeFromProto(resp.receive_time());
      if (server >= hold_ - absl::Milliseconds(100)) {
        Record(Kind::kOverrun, absl::ToDoubleMilliseconds(round_trip - hold_));
      } else if (call->request.results_size() > 0) {
        Record(Kind::kAnswered, absl::ToDoubleMilliseconds(round_trip));
        Record(Kind::kAnsweredServer, absl::ToDoubleMilliseconds(server));
        Record(Kind::kUplink,
               absl::ToDoubleMilliseconds(TimeFromProto(resp.receive_time()) -
                                          (call->t1 - w.clock.skew())));
      } else if (!call->cancelled) {
        Record(Kind::kReaction, absl::ToDoubleMilliseconds(round_trip));
      }
      v1::ClockSample& s = w.previous;
      *s.mutable_t1() = TimeToProto(call->t1);
      *s.mutable_t2() = resp.receive_time();
      *s.mutable_t3() = resp.transmit_time();
      *s.mutable_t4() = TimeToProto(t4);
      for (const v1::ResultAck& ack : resp.acknowledged()) {
        w.pending.erase(std::remove_if(w.pending.begin(), w.pending.end(),
                                       [&](const v1::WorkerResult& r) {
                                         return api::SameAttempt(r.key(),
                                                                 ack.key());
                                       }),
                        w.pending.end());
      }
      const v1::DesiredState& d = resp.desired();
      if (d.has_idle() || d.has_tear_down()) {
        w.current.Clear();
        w.current.mutable_idle();
      } else if (d.has_prepare()) {
        if (!(w.current.has_ready() &&
              api::SameAttempt(w.current.ready().key(), d.prepare().key()))) {
          w.current.Clear();
          *w.current.mutable_ready()->mutable_key() = d.prepare().key();
          w.current.mutable_ready()->add_target_endpoints("127.0.0.1:9");
        }
      } else if (d.has_measure()) {
        const v1::AttemptKey& key = d.measure().key();
        const bool started =
            (w.current.has_measuring() &&
             api::SameAttempt(w.current.measuring().key(), key)) ||
            (w.current.has_finished() &&
             api::SameAttempt(w.current.finished().key(), key));
        if (!started) {
          w.current.Clear();
          *w.current.mutable_measuring()->mutable_key() = key;
          // T0 is on the coordinator's clock; theta = coordinator - worker
          // from this exchange's four timestamps.
          const absl::Duration theta =
              ((TimeFromProto(resp.receive_time()) - call->t1) +
               (TimeFromProto(resp.transmit_time()) - t4)) /
              2;
          const absl::Time start = TimeFromProto(d.measure().start_time());
          const absl::Duration length =
              DurationFromProto(d.measure().load().warmup()) +
              DurationFromProto(d.measure().load().duration());
          const absl::Time end_local = start - theta + length;
          const absl::Duration deadline =
              w.clock.Monotonic() + (end_local - w.clock.Wall());
          v1::AttemptKey k = key;
          timers_.At(deadline, [this, &w, k, start, length] {
            Finish(w, k, start, length);
          });
        }
      }
    }
    if (call->cancelled && !status.ok()) delay = absl::ZeroDuration();
  }
  if (!again) return;
  if (delay > absl::ZeroDuration()) {
    timers_.At(Clock::Real()->Monotonic() + delay, [this, &w] { Send(w); });
  } else {
    Send(w);
  }
  absl::MutexLock lock(&mu_);
  --outstanding_;
}

void SimulatedWorkers::Finish(Worker& w, const v1::AttemptKey& key,
                              absl::Time start, absl::Duration length) {
  std::shared_ptr<Call> call;
  {
    absl::MutexLock lock(&w.mu);
    if (!w.current.has_measuring() ||
        !api::SameAttempt(w.current.measuring().key(), key)) {
      return;
    }
    w.current.Clear();
    *w.current.mutable_finished()->mutable_key() = key;
    w.pending.push_back(SyntheticResult(key, w.id, start, length));
    results_produced_.fetch_add(1);
    call = w.inflight;
    if (call) call->cancelled = true;
  }
  // Ends the held call; its completion sends the new state at once.
  if (call) call->context.TryCancel();
}

}  // namespace scalebench::scale
