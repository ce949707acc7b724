#include "cli/watch_loop.h"

#include <deque>
#include <utility>
#include <vector>

#include "common/fake_clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A FakeClock that moves to the deadline when the code under test sleeps,
// so the loop runs on one thread and every pause is recorded exactly.
class SteppingClock final : public Clock {
 public:
  absl::Duration Monotonic() const override { return fake_.Monotonic(); }
  absl::Time Wall() const override { return fake_.Wall(); }
  void SleepUntil(absl::Duration deadline) override {
    sleeps.push_back(deadline - fake_.Monotonic());
    fake_.Advance(deadline - fake_.Monotonic());
  }
  std::vector<absl::Duration> sleeps;

 private:
  FakeClock fake_;
};

v1::ExperimentEvent MakeEvent(uint64_t sequence, v1::ExperimentState state) {
  v1::ExperimentEvent event;
  event.set_sequence(sequence);
  event.mutable_experiment()->set_name("experiments/exp-000001");
  event.mutable_experiment()->set_state(state);
  event.set_message("event " + std::to_string(sequence));
  return event;
}

// One scripted stream: these events, then this status.
struct Script {
  std::vector<v1::ExperimentEvent> events;
  absl::Status end;
};

class ScriptedStream final : public EventStream {
 public:
  explicit ScriptedStream(Script script) : script_(std::move(script)) {}
  bool Next(v1::ExperimentEvent* event) override {
    if (next_ >= script_.events.size()) return false;
    *event = script_.events[next_++];
    return true;
  }
  absl::Status Finish() override { return script_.end; }

 private:
  Script script_;
  size_t next_ = 0;
};

// Streams and probe answers in order; records what was asked.
class ScriptedSource final : public WatchSource {
 public:
  explicit ScriptedSource(Clock* clock) : clock_(clock) {}

  absl::StatusOr<v1::Experiment> Get(const std::string&) override {
    probe_times.push_back(clock_->Monotonic());
    if (probes.empty()) return absl::UnavailableError("connection refused");
    absl::Status next = probes.front();
    probes.pop_front();
    if (!next.ok()) return next;
    v1::Experiment experiment;
    experiment.set_state(v1::EXPERIMENT_STATE_RUNNING);
    return experiment;
  }
  std::unique_ptr<EventStream> Open(const std::string&,
                                    uint64_t after_sequence) override {
    opened_after.push_back(after_sequence);
    Script script{{}, absl::UnavailableError("coordinator restarting")};
    if (!streams.empty()) {
      script = std::move(streams.front());
      streams.pop_front();
    }
    return std::make_unique<ScriptedStream>(std::move(script));
  }

  std::deque<Script> streams;
  // OK = the coordinator answers; the rest are returned as they are. When
  // empty, every probe is UNAVAILABLE.
  std::deque<absl::Status> probes;
  std::vector<absl::Duration> probe_times;
  std::vector<uint64_t> opened_after;

 private:
  Clock* clock_;
};

class RecordingView final : public WatchView {
 public:
  void Event(const v1::ExperimentEvent& event) override {
    sequences.push_back(event.sequence());
  }
  void Reconnecting(const absl::Status&) override { ++reconnecting; }
  void Reconnected() override { ++reconnected; }

  std::vector<uint64_t> sequences;
  int reconnecting = 0;
  int reconnected = 0;
};

TEST(FollowExperimentTest, EndsWithTheEventThatEndsTheExperiment) {
  SteppingClock clock;
  ScriptedSource source(&clock);
  source.probes = {absl::OkStatus()};
  source.streams.push_back({{MakeEvent(1, v1::EXPERIMENT_STATE_PENDING),
                             MakeEvent(2, v1::EXPERIMENT_STATE_RUNNING),
                             MakeEvent(3, v1::EXPERIMENT_STATE_SUCCEEDED)},
                            absl::OkStatus()});
  RecordingView view;
  absl::StatusOr<v1::Experiment> ended =
      FollowExperiment(source, "experiments/exp-000001", clock, view, {});
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_EQ(ended->state(), v1::EXPERIMENT_STATE_SUCCEEDED);
  EXPECT_THAT(view.sequences, ElementsAre(1, 2, 3));
  EXPECT_EQ(view.reconnecting, 0);
  EXPECT_TRUE(clock.sleeps.empty());
}

TEST(FollowExperimentTest, ReattachesAfterTheLastSequenceWithGrowingPauses) {
  SteppingClock clock;
  ScriptedSource source(&clock);
  // The first Get, then three refused probes, then an answer.
  source.probes = {absl::OkStatus(), absl::UnavailableError("refused"),
                   absl::UnavailableError("refused"),
                   absl::UnavailableError("refused"), absl::OkStatus()};
  source.streams.push_back({{MakeEvent(1, v1::EXPERIMENT_STATE_PENDING),
                             MakeEvent(2, v1::EXPERIMENT_STATE_RUNNING)},
                            absl::UnavailableError("server shutting down")});
  // The coordinator replays event 2 after its restart: shown once only.
  source.streams.push_back({{MakeEvent(2, v1::EXPERIMENT_STATE_RUNNING),
                             MakeEvent(3, v1::EXPERIMENT_STATE_FAILED)},
                            absl::OkStatus()});
  RecordingView view;
  absl::StatusOr<v1::Experiment> ended =
      FollowExperiment(source, "experiments/exp-000001", clock, view, {});
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_EQ(ended->state(), v1::EXPERIMENT_STATE_FAILED);
  EXPECT_THAT(view.sequences, ElementsAre(1, 2, 3));
  EXPECT_THAT(source.opened_after, ElementsAre(0, 2));
  EXPECT_EQ(view.reconnecting, 1);
  EXPECT_EQ(view.reconnected, 1);
  EXPECT_THAT(clock.sleeps,
              ElementsAre(absl::Milliseconds(500), absl::Seconds(1),
                          absl::Seconds(2), absl::Seconds(4)));
}

// A coordinator stopping cancels the calls still open after its grace
// period: CANCELLED, from the stream or from a probe, is retried too.
TEST(FollowExperimentTest, CallsCancelledByAStoppingCoordinatorAreRetried) {
  SteppingClock clock;
  ScriptedSource source(&clock);
  source.probes = {absl::OkStatus(), absl::CancelledError("CANCELLED"),
                   absl::OkStatus()};
  source.streams.push_back({{MakeEvent(1, v1::EXPERIMENT_STATE_RUNNING)},
                            absl::CancelledError("CANCELLED")});
  source.streams.push_back(
      {{MakeEvent(2, v1::EXPERIMENT_STATE_CANCELLED)}, absl::OkStatus()});
  RecordingView view;
  absl::StatusOr<v1::Experiment> ended =
      FollowExperiment(source, "experiments/exp-000001", clock, view, {});
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_EQ(ended->state(), v1::EXPERIMENT_STATE_CANCELLED);
  EXPECT_THAT(view.sequences, ElementsAre(1, 2));
  EXPECT_EQ(view.reconnecting, 1);
}

TEST(FollowExperimentTest, BackoffStopsGrowingAtTheMaximum) {
  SteppingClock clock;
  ScriptedSource source(&clock);
  source.probes = {absl::OkStatus()};
  for (int i = 0; i < 7; ++i) {
    source.probes.push_back(absl::UnavailableError("refused"));
  }
  source.probes.push_back(absl::OkStatus());
  source.streams.push_back({{}, absl::UnavailableError("refused")});
  source.streams.push_back(
      {{MakeEvent(1, v1::EXPERIMENT_STATE_SUCCEEDED)}, absl::OkStatus()});
  RecordingView view;
  ASSERT_TRUE(
      FollowExperiment(source, "experiments/exp-000001", clock, view, {}).ok());
  EXPECT_THAT(
      clock.sleeps,
      ElementsAre(absl::Milliseconds(500), absl::Seconds(1), absl::Seconds(2),
                  absl::Seconds(4), absl::Seconds(8), absl::Seconds(10),
                  absl::Seconds(10), absl::Seconds(10)));
}

TEST(FollowExperimentTest, SurvivesRestartsIndefinitelyWhileTheyAnswer) {
  SteppingClock clock;
  ScriptedSource source(&clock);
  source.probes = {absl::OkStatus()};
  // 50 outages of about 5 minutes each: 4 hours in all, never 10 minutes
  // without an answer.
  constexpr int kOutages = 50;
  for (int outage = 0; outage < kOutages; ++outage) {
    source.streams.push_back(
        {{MakeEvent(outage + 1, v1::EXPERIMENT_STATE_RUNNING)},
         absl::UnavailableError("restarting")});
    for (int i = 0; i < 34; ++i) {  // 0.5+1+2+4+8 + 29 x 10 s = 305.5 s.
      source.probes.push_back(absl::UnavailableError("refused"));
    }
    source.probes.push_back(absl::OkStatus());
  }
  source.streams.push_back(
      {{MakeEvent(kOutages + 1, v1::EXPERIMENT_STATE_SUCCEEDED)},
       absl::OkStatus()});
  RecordingView view;
  absl::StatusOr<v1::Experiment> ended =
      FollowExperiment(source, "experiments/exp-000001", clock, view, {});
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_EQ(view.reconnecting, kOutages);
  EXPECT_EQ(view.sequences.size(), kOutages + 1);
  EXPECT_GT(clock.Monotonic(), absl::Hours(4));
}

TEST(FollowExperimentTest, GivesUpAfterTenMinutesWithoutAnAnswer) {
  SteppingClock clock;
  ScriptedSource source(&clock);
  source.probes = {absl::OkStatus()};  // Then refused forever.
  source.streams.push_back({{MakeEvent(1, v1::EXPERIMENT_STATE_RUNNING)},
                            absl::UnavailableError("restarting")});
  RecordingView view;
  absl::StatusOr<v1::Experiment> ended =
      FollowExperiment(source, "experiments/exp-000001", clock, view, {});
  EXPECT_TRUE(absl::IsUnavailable(ended.status())) << ended.status();
  EXPECT_THAT(ended.status().message(), HasSubstr("giving up"));
  EXPECT_EQ(clock.Monotonic(), absl::Minutes(10));
  EXPECT_EQ(view.reconnecting, 1);
}

TEST(FollowExperimentTest, OtherErrorsEndTheWatchAtOnce) {
  SteppingClock clock;
  ScriptedSource source(&clock);
  source.probes = {absl::NotFoundError("experiments/exp-000009 not found")};
  RecordingView view;
  absl::StatusOr<v1::Experiment> ended =
      FollowExperiment(source, "experiments/exp-000009", clock, view, {});
  EXPECT_TRUE(absl::IsNotFound(ended.status())) << ended.status();
  EXPECT_TRUE(source.opened_after.empty());

  source.probes = {absl::OkStatus()};
  source.streams.push_back(
      {{}, absl::PermissionDeniedError("not a client certificate")});
  ended = FollowExperiment(source, "experiments/exp-000001", clock, view, {});
  EXPECT_TRUE(absl::IsPermissionDenied(ended.status())) << ended.status();
  EXPECT_TRUE(clock.sleeps.empty());
}

}  // namespace
}  // namespace scalebench::cli
