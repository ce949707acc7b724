#include "worker/agent/trial_executor.h"

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "worker/observe/testing/fake_capture.h"
#include "worker/testing/fake_target_driver.h"

namespace scalebench::worker {
namespace {

using ::scalebench::worker::testing::FakeTargetDriver;
using ::testing::HasSubstr;

// Answers each burst with the next scripted offset (the last repeats);
// counts the bursts.
class ScriptedClockProbe final : public ClockProbe {
 public:
  absl::StatusOr<v1::ClockOffset> Burst() override {
    absl::MutexLock lock(&mu_);
    ++bursts_;
    if (offsets_.empty()) return absl::UnavailableError("no exchange answered");
    const v1::ClockOffset next = offsets_.front();
    if (offsets_.size() > 1) offsets_.erase(offsets_.begin());
    return next;
  }
  void Script(std::vector<v1::ClockOffset> offsets) {
    absl::MutexLock lock(&mu_);
    offsets_ = std::move(offsets);
  }
  int bursts() {
    absl::MutexLock lock(&mu_);
    return bursts_;
  }

 private:
  absl::Mutex mu_;
  std::vector<v1::ClockOffset> offsets_ ABSL_GUARDED_BY(mu_);
  int bursts_ ABSL_GUARDED_BY(mu_) = 0;
};

class TrialExecutorTest : public ::testing::Test {
 protected:
  TrialExecutorTest() {
    auto driver = std::make_unique<FakeTargetDriver>();
    driver_ = driver.get();
    drivers_.AddTarget(std::move(driver));
    context_.name = "w";
    context_.owner = "scalebench-w";
    context_.clock = Clock::Real();
    std::string dir = ::testing::TempDir() + "/executor-XXXXXX";
    context_.state_dir = mkdtemp(dir.data());
    spool_ =
        std::make_unique<Spool>(*Spool::Open(context_.state_dir + "/spool"));
    runner_ = std::make_unique<TrialRunner>(context_, &drivers_,
                                            std::vector<int>{0, 1});
    executor_ = std::make_unique<TrialExecutor>(
        runner_.get(), spool_.get(), "w", &clock_probe_, Clock::Real());
  }

  // Waits (up to 10 s) until the current state satisfies `done`.
  v1::WorkerState WaitFor(std::function<bool(const v1::WorkerState&)> done) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    v1::WorkerState state = executor_->Current();
    while (!done(state) && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));
      state = executor_->Current();
    }
    return state;
  }

  v1::DesiredState Prepare(uint32_t targets) {
    v1::DesiredState desired;
    v1::DesiredState::Prepare* p = desired.mutable_prepare();
    p->mutable_key()->set_trial("experiments/e/trials/0");
    p->mutable_key()->set_attempt(1);
    p->mutable_configuration()->set_platform(v1::PLATFORM_NATIVE);
    p->mutable_configuration()->set_vcpus(1);
    p->mutable_configuration()->set_keepalive(true);
    p->mutable_configuration()->set_connections(4);
    p->set_target_count(targets);
    p->mutable_service()->set_page_bytes(50);
    return desired;
  }

  // A fake haproxy this worker can run.
  testing::FakeBalancer* AddFakeBalancer() {
    auto fake = std::make_unique<testing::FakeBalancer>();
    testing::FakeBalancer* balancer = fake.get();
    drivers_.AddBalancer(std::move(fake));
    return balancer;
  }

  // Prepare(targets) for a host that balances over every host's targets,
  // whose endpoints come later (WithEndpoints).
  v1::DesiredState PrepareBalancer(uint32_t targets) {
    v1::DesiredState desired = Prepare(targets);
    v1::BalancerAssignment* assignment =
        desired.mutable_prepare()->mutable_balancer();
    assignment->set_kind(v1::BALANCER_KIND_HAPROXY);
    assignment->set_awaiting_endpoints(true);
    return desired;
  }

  static v1::DesiredState Idle() {
    v1::DesiredState idle;
    idle.mutable_idle();
    return idle;
  }

  // Applies `desired` and waits until the executor is idle; whether it
  // got there.
  bool GoesIdle(const v1::DesiredState& desired) {
    executor_->Apply(desired, clock_);
    return WaitFor([](const v1::WorkerState& s) { return s.has_idle(); })
        .has_idle();
  }

  // Applies `first` (PrepareBalancer) and waits until the host is ready
  // with its own targets; the state it reports.
  v1::WorkerState ReadyToBalance(const v1::DesiredState& first) {
    executor_->Apply(first, clock_);
    return WaitFor([](const v1::WorkerState& s) { return s.has_ready(); });
  }

  // Gives `first`'s attempt every host's `endpoints` and waits until its
  // balancer answers; the state it reports.
  v1::WorkerState Balancing(const v1::DesiredState& first,
                            const std::vector<std::string>& endpoints) {
    executor_->Apply(WithEndpoints(first, endpoints), clock_);
    return WaitFor([](const v1::WorkerState& s) {
      return s.has_ready() && !s.ready().balancer_endpoint().empty();
    });
  }

  // The same attempt again, with the endpoints to balance over.
  static v1::DesiredState WithEndpoints(
      v1::DesiredState desired, const std::vector<std::string>& endpoints) {
    v1::BalancerAssignment* assignment =
        desired.mutable_prepare()->mutable_balancer();
    assignment->set_awaiting_endpoints(false);
    for (const std::string& e : endpoints) assignment->add_endpoints(e);
    return desired;
  }

  WorkerContext context_;
  DriverSet drivers_;
  FakeTargetDriver* driver_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<TrialRunner> runner_;
  // A 300 ms measurement of `ready`'s targets, one thread, at T0
  // `start_time` (the coordinator's clock).
  v1::DesiredState MeasureAt(const v1::WorkerState& ready,
                             absl::Time start_time) {
    v1::DesiredState measure;
    v1::DesiredState::Measure* m = measure.mutable_measure();
    *m->mutable_key() = ready.ready().key();
    m->mutable_load()->mutable_duration()->set_nanos(300'000'000);
    m->mutable_load()->set_threads(1);
    for (const std::string& e : ready.ready().target_endpoints()) {
      m->add_urls("http://" + e + "/");
    }
    *m->mutable_start_time() = TimeToProto(start_time);
    return measure;
  }

  // Waits for Finished; returns the one spooled result.
  v1::WorkerResult Finished() {
    v1::WorkerState finished =
        WaitFor([](const v1::WorkerState& s) { return s.has_finished(); });
    EXPECT_TRUE(finished.has_finished()) << finished.DebugString();
    absl::StatusOr<std::vector<v1::WorkerResult>> spooled = spool_->List();
    EXPECT_TRUE(spooled.ok() && spooled->size() == 1u);
    return spooled.ok() && !spooled->empty() ? (*spooled)[0]
                                             : v1::WorkerResult();
  }

  // A 300 ms Measure of `first`'s attempt for a host that only balances,
  // 200 ms from now, naming load sources wK at 10.0.0.K for each K.
  v1::DesiredState ObserveOnly(const v1::DesiredState& first,
                               std::vector<int> hosts) {
    v1::DesiredState measure;
    v1::DesiredState::Measure* m = measure.mutable_measure();
    *m->mutable_key() = first.prepare().key();
    m->mutable_load()->mutable_duration()->set_nanos(300'000'000);
    *m->mutable_start_time() =
        TimeToProto(absl::Now() + absl::Milliseconds(200));
    for (int host : hosts) {
      v1::LoadSource* source = m->add_load_sources();
      source->set_worker_id(absl::StrCat("w", host));
      source->add_addresses(absl::StrCat("10.0.0.", host));
    }
    return measure;
  }

  // The executor again, its balancer's host observing through `capture`.
  void ObserveThrough(FakeCapture* capture) {
    executor_ = std::make_unique<TrialExecutor>(
        runner_.get(), spool_.get(), "w", &clock_probe_, Clock::Real(),
        [capture] {
          return MakeStartObserver(Clock::Real(), capture->Factory());
        });
  }

  ScriptedClockProbe clock_probe_;
  std::unique_ptr<TrialExecutor> executor_;
  ClockSync clock_;
};

TEST_F(TrialExecutorTest, PrepareMeasureTearDown) {
  executor_->Apply(Prepare(2), clock_);
  v1::WorkerState ready =
      WaitFor([](const v1::WorkerState& s) { return s.has_ready(); });
  ASSERT_TRUE(ready.has_ready()) << ready.DebugString();
  ASSERT_EQ(ready.ready().target_endpoints_size(), 2);

  const v1::DesiredState measure =
      MeasureAt(ready, absl::Now() + absl::Milliseconds(200));
  executor_->Apply(measure, clock_);
  executor_->Apply(measure, clock_);  // A repeat changes nothing.
  v1::WorkerState finished =
      WaitFor([](const v1::WorkerState& s) { return s.has_finished(); });
  ASSERT_TRUE(finished.has_finished()) << finished.DebugString();

  absl::StatusOr<std::vector<v1::WorkerResult>> spooled = spool_->List();
  ASSERT_TRUE(spooled.ok());
  ASSERT_EQ(spooled->size(), 1u);
  const v1::WorkerResult& result = (*spooled)[0];
  EXPECT_FALSE(result.has_failure()) << result.failure().reason();
  EXPECT_GT(result.loadgen().requests(), 0u);
  EXPECT_EQ(result.loadgen().source(), "w");
  EXPECT_EQ(result.worker_id(), "w");
  EXPECT_EQ(result.key().attempt(), 1u);
  // Started at the instant asked for: far below the 200 ms lead.
  EXPECT_LT(result.loadgen().start_skew().seconds(), 1);
  // How busy each of the worker's cores was over the measurement.
  ASSERT_EQ(result.core_busy_size(), 2);
  EXPECT_EQ(result.core_busy(0).cpu(), 0u);
  EXPECT_EQ(result.core_busy(1).cpu(), 1u);
  for (const v1::CoreBusy& core : result.core_busy()) {
    EXPECT_GE(core.busy(), 0.0);
    EXPECT_LE(core.busy(), 1.0);
  }

  v1::DesiredState tear_down;
  *tear_down.mutable_tear_down()->mutable_key() = result.key();
  EXPECT_TRUE(GoesIdle(tear_down));
  EXPECT_TRUE(driver_->List()->empty());
}

v1::ClockOffset Offset(absl::Time at, absl::Duration offset,
                       absl::Duration uncertainty) {
  v1::ClockOffset o;
  *o.mutable_time() = TimeToProto(at);
  *o.mutable_offset() = DurationToProto(offset);
  *o.mutable_uncertainty() = DurationToProto(uncertainty);
  o.set_samples(16);
  return o;
}

TEST_F(TrialExecutorTest, TZeroIsConvertedWithTheBurstAfterPrepare) {
  const absl::Time now = absl::Now();
  const v1::ClockOffset before =
      Offset(now, absl::Milliseconds(300), absl::Microseconds(70));
  const v1::ClockOffset after = Offset(
      now + absl::Seconds(1), absl::Milliseconds(300), absl::Microseconds(90));
  clock_probe_.Script({before, after});
  executor_->Apply(Prepare(1), clock_);
  v1::WorkerState ready =
      WaitFor([](const v1::WorkerState& s) { return s.has_ready(); });
  ASSERT_TRUE(ready.has_ready()) << ready.DebugString();
  EXPECT_EQ(ready.ready().clock().offset().nanos(), 300'000'000);

  // T0 300 ms later on the coordinator's clock than on this one: it opens
  // 200 ms from now here, not 500 ms.
  const absl::Time local_start = now + absl::Milliseconds(200);
  v1::DesiredState measure =
      MeasureAt(ready, local_start + absl::Milliseconds(300));
  executor_->Apply(measure, clock_);
  const v1::WorkerResult result = Finished();
  EXPECT_FALSE(result.has_failure()) << result.failure().reason();
  EXPECT_EQ(clock_probe_.bursts(), 2);
  EXPECT_LT(TimeFromProto(result.loadgen().start_time()) - local_start,
            absl::Milliseconds(100));
  EXPECT_EQ(result.clock().before().offset().nanos(), 300'000'000);
  EXPECT_EQ(result.clock().after().uncertainty().nanos(), 90'000);
  // The clock held still: the skew is the measured lateness (under the
  // 5 ms tolerance), within the larger of the two uncertainties.
  EXPECT_GE(DurationFromProto(result.loadgen().start_skew()),
            absl::ZeroDuration());
  EXPECT_LT(DurationFromProto(result.loadgen().start_skew()),
            absl::Milliseconds(5));
  // The larger clock uncertainty, plus the load generator's own: half its
  // first connect's duration.
  const absl::Duration uncertainty =
      DurationFromProto(result.loadgen().start_skew_uncertainty());
  EXPECT_GE(uncertainty, absl::Microseconds(90));
  EXPECT_LT(uncertainty, absl::Microseconds(90) + absl::Milliseconds(1));
}

TEST_F(TrialExecutorTest, AClockRunningAheadMakesTheSkewNegative) {
  // The worker's clock gains 50 ms in the second between the bursts: at
  // T0 (a fifth of the way) the offset is 10 ms smaller than the one T0
  // was converted with, so the window truly opened about 10 ms early.
  const absl::Time now = absl::Now();
  clock_probe_.Script(
      {Offset(now, absl::Milliseconds(300), absl::Microseconds(70)),
       Offset(now + absl::Seconds(1), absl::Milliseconds(250),
              absl::Microseconds(70))});
  executor_->Apply(Prepare(1), clock_);
  v1::WorkerState ready =
      WaitFor([](const v1::WorkerState& s) { return s.has_ready(); });
  ASSERT_TRUE(ready.has_ready()) << ready.DebugString();
  executor_->Apply(
      MeasureAt(ready, now + absl::Milliseconds(200) + absl::Milliseconds(300)),
      clock_);
  const v1::WorkerResult result = Finished();
  EXPECT_FALSE(result.has_failure()) << result.failure().reason();
  // -10 ms plus 95% of a lateness under the 5 ms tolerance.
  const absl::Duration skew = DurationFromProto(result.loadgen().start_skew());
  EXPECT_GE(skew, absl::Milliseconds(-10));
  EXPECT_LT(skew, absl::Milliseconds(-5));
}

TEST_F(TrialExecutorTest, ABalancerOverOtherHostsStartsWhenItsEndpointsCome) {
  testing::FakeBalancer* balancer = AddFakeBalancer();
  const v1::DesiredState first = PrepareBalancer(1);
  v1::WorkerState ready = ReadyToBalance(first);
  ASSERT_TRUE(ready.has_ready()) << ready.DebugString();
  ASSERT_EQ(ready.ready().target_endpoints_size(), 1);
  // Targets only, so far.
  EXPECT_EQ(ready.ready().balancer_endpoint(), "");
  EXPECT_TRUE(balancer->launches().empty());

  // The same attempt with every host's endpoints: the balancer starts in
  // front of them; the targets are not started again.
  ready =
      Balancing(first, {ready.ready().target_endpoints(0), "10.0.0.2:8002"});
  ASSERT_FALSE(ready.ready().balancer_endpoint().empty())
      << ready.DebugString();
  ASSERT_EQ(balancer->launches().size(), 1u);
  EXPECT_THAT(balancer->launches()[0].endpoints,
              ::testing::ElementsAre(ready.ready().target_endpoints(0),
                                     "10.0.0.2:8002"));
  EXPECT_EQ(driver_->launches().size(), 1u);

  EXPECT_TRUE(GoesIdle(Idle()));
  EXPECT_EQ(balancer->running(), 0u);
  EXPECT_TRUE(driver_->List()->empty());
}

TEST_F(TrialExecutorTest, AHostThatOnlyBalancesObservesInsteadOfLoading) {
  testing::FakeBalancer* balancer = AddFakeBalancer();
  const v1::DesiredState first = PrepareBalancer(0);
  v1::WorkerState ready = ReadyToBalance(first);
  ASSERT_TRUE(ready.has_ready()) << ready.DebugString();
  EXPECT_EQ(ready.ready().target_endpoints_size(), 0);

  ready = Balancing(first, {"10.0.0.2:8002"});
  ASSERT_FALSE(ready.ready().balancer_endpoint().empty())
      << ready.DebugString();
  ASSERT_EQ(balancer->launches().size(), 1u);
  EXPECT_TRUE(driver_->launches().empty());

  // No urls: send nothing, measure the cores over the window.
  const absl::Time asked = absl::Now();
  executor_->Apply(ObserveOnly(first, {}), clock_);
  v1::WorkerState finished =
      WaitFor([](const v1::WorkerState& s) { return s.has_finished(); });
  ASSERT_TRUE(finished.has_finished()) << finished.DebugString();
  // It waited for T0 and then for the whole window.
  EXPECT_GE(absl::Now() - asked, absl::Milliseconds(500));
  absl::StatusOr<std::vector<v1::WorkerResult>> spooled = spool_->List();
  ASSERT_TRUE(spooled.ok());
  ASSERT_EQ(spooled->size(), 1u);
  const v1::WorkerResult& result = (*spooled)[0];
  EXPECT_FALSE(result.has_failure()) << result.failure().reason();
  EXPECT_FALSE(result.has_loadgen());
  EXPECT_EQ(result.core_busy_size(), 2);
  EXPECT_EQ(result.environment().pinning().count("balancer"), 1u);
}

TEST_F(TrialExecutorTest, ABalancersHostRecordsEachLoadSourcesFirstRequest) {
  FakeCapture capture;
  ObserveThrough(&capture);
  AddFakeBalancer();
  const v1::DesiredState first = PrepareBalancer(0);
  v1::WorkerState ready = ReadyToBalance(first);
  ASSERT_TRUE(ready.has_ready()) << ready.DebugString();
  ready = Balancing(first, {"10.0.0.2:8002", "10.0.0.3:8003"});
  ASSERT_FALSE(ready.ready().balancer_endpoint().empty())
      << ready.DebugString();

  executor_->Apply(ObserveOnly(first, {2, 3}), clock_);
  // The kernel receives w3's first request, then w2's.
  capture.AwaitWaits(1);
  const absl::Time t3 = absl::FromUnixNanos(1'800'000'000'000'000'000);
  capture.Deliver({{*ParseIpv4("10.0.0.3"), t3},
                   {*ParseIpv4("10.0.0.2"), t3 + absl::Microseconds(420)}});
  const v1::WorkerResult result = Finished();
  EXPECT_FALSE(result.has_failure()) << result.failure().reason();
  ASSERT_EQ(result.observed_starts_size(), 2) << result.DebugString();
  EXPECT_EQ(result.observed_starts(0).worker_id(), "w2");
  EXPECT_EQ(result.observed_starts(0).address(), "10.0.0.2");
  EXPECT_EQ(TimeFromProto(result.observed_starts(0).first_request()),
            t3 + absl::Microseconds(420));
  EXPECT_EQ(TimeFromProto(result.observed_starts(1).first_request()), t3);
  EXPECT_EQ(result.observe_failure(), "");
  // It watched the balancer's port.
  const std::string& endpoint = ready.ready().balancer_endpoint();
  EXPECT_EQ(absl::StrCat(capture.filters().at(0).port),
            endpoint.substr(endpoint.rfind(':') + 1));
}

TEST_F(TrialExecutorTest, ABalancersHostThatCannotCaptureSaysWhy) {
  FakeCapture capture;
  capture.FailOpen(absl::PermissionDeniedError(
      "cannot capture on any: socket: Operation not permitted"));
  ObserveThrough(&capture);
  AddFakeBalancer();
  const v1::DesiredState first = PrepareBalancer(0);
  ASSERT_TRUE(ReadyToBalance(first).has_ready());
  ASSERT_TRUE(Balancing(first, {"10.0.0.2:8002"}).has_ready());
  executor_->Apply(ObserveOnly(first, {2}), clock_);
  const v1::WorkerResult result = Finished();
  EXPECT_FALSE(result.has_failure()) << result.failure().reason();
  EXPECT_EQ(result.observed_starts_size(), 0);
  EXPECT_THAT(result.observe_failure(), HasSubstr("Operation not permitted"));
}

TEST_F(TrialExecutorTest, AFailedPreparationIsASpooledResultNotAnError) {
  driver_->fail_index = 0;
  executor_->Apply(Prepare(1), clock_);
  v1::WorkerState finished =
      WaitFor([](const v1::WorkerState& s) { return s.has_finished(); });
  ASSERT_TRUE(finished.has_finished()) << finished.DebugString();
  absl::StatusOr<std::vector<v1::WorkerResult>> spooled = spool_->List();
  ASSERT_EQ(spooled->size(), 1u);
  EXPECT_EQ((*spooled)[0].failure().kind(), v1::FAILURE_KIND_TARGET_START);
  EXPECT_THAT((*spooled)[0].failure().reason(), HasSubstr("nginx exited"));
  EXPECT_TRUE(driver_->List()->empty());
}

TEST_F(TrialExecutorTest, IdleTearsDownWhatAPreparationStarted) {
  executor_->Apply(Prepare(2), clock_);
  ASSERT_TRUE(WaitFor([](const v1::WorkerState& s) {
                return s.has_ready();
              }).has_ready());
  EXPECT_EQ(driver_->List()->size(), 2u);
  EXPECT_TRUE(GoesIdle(Idle()));
  EXPECT_TRUE(driver_->List()->empty());
}

}  // namespace
}  // namespace scalebench::worker
