// What watch shows: one line per event for logs, a bar redrawn in place on
// a terminal.
#include <sstream>
#include <string>

#include "cli/status_command.h"
#include "cli/watch_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

// An event of experiment exp-000001 with 4 trials, `done` succeeded, and
// `trial` (if >= 0) in `state`.
v1::ExperimentEvent Event(uint64_t sequence, uint32_t done, int trial,
                          v1::TrialState state, const std::string& message) {
  v1::ExperimentEvent event;
  event.set_sequence(sequence);
  v1::Experiment* e = event.mutable_experiment();
  e->set_name("experiments/exp-000001");
  e->set_state(v1::EXPERIMENT_STATE_RUNNING);
  e->mutable_progress()->set_trials_total(4);
  e->mutable_progress()->set_trials_succeeded(done);
  if (trial >= 0) {
    event.mutable_trial()->set_name("experiments/exp-000001/trials/" +
                                    std::to_string(trial));
    event.mutable_trial()->set_state(state);
  }
  event.set_message(message);
  return event;
}

TEST(WatchViewTest, LinesShowProgressAndTheMessage) {
  std::ostringstream out;
  std::unique_ptr<WatchView> view = MakeLineView(out);
  view->Event(Event(1, 0, -1, v1::TRIAL_STATE_UNSPECIFIED, ""));
  view->Event(Event(2, 1, 0, v1::TRIAL_STATE_SUCCEEDED, "trial 0 ok"));
  view->Reconnecting(absl::UnavailableError("gone"));
  view->Reconnected();
  EXPECT_EQ(out.str(),
            "[0/4] experiment running\n"
            "[1/4] trial 0 ok\n"
            "coordinator unavailable, reconnecting...\n");
}

TEST(WatchViewTest, BarIsRedrawnInPlaceWithPhasesAndEta) {
  std::ostringstream out;
  {
    std::unique_ptr<WatchView> view = MakeBarView(out);
    view->Event(Event(1, 1, 1, v1::TRIAL_STATE_PREPARING, ""));
    v1::ExperimentEvent measuring =
        Event(2, 1, 2, v1::TRIAL_STATE_MEASURING, "");
    measuring.mutable_experiment()
        ->mutable_progress()
        ->mutable_estimated_remaining()
        ->set_seconds(150);
    view->Event(measuring);
    view->Event(Event(3, 2, 1, v1::TRIAL_STATE_SUCCEEDED, ""));
    view->Reconnecting(absl::UnavailableError("gone"));
  }
  EXPECT_EQ(out.str(),
            "\r\x1b[K[######------------------] 1/4 trials  trial 1 preparing"
            "\r\x1b[K[######------------------] 1/4 trials  trial 1 "
            "preparing, trial 2 measuring  ETA 2m30s"
            "\r\x1b[K[############------------] 2/4 trials  trial 2 measuring"
            "\r\x1b[K[############------------] 2/4 trials  trial 2 "
            "measuring  coordinator unavailable, reconnecting...\n");
}

v1::Trial Waiting(int number, const std::string& reason) {
  v1::Trial trial;
  trial.set_name("experiments/exp-000001/trials/" + std::to_string(number));
  trial.set_state(v1::TRIAL_STATE_QUEUED);
  trial.set_waiting_for(reason);
  return trial;
}

// Each trial's reason once, when the experiment starts to wait for
// something new, after the event's line; the trials asked for only then.
TEST(WatchViewTest, WaitingTrialsShowWhenTheirReasonAppearsOrChanges) {
  std::ostringstream out;
  int fetched = 0;
  v1::GetExperimentResponse response;
  *response.add_trials() = Waiting(3, "needs 3 free hosts; 2 found (h1, h2)");
  *response.add_trials() = Waiting(0, "queued behind trial 3");
  *response.add_trials() = Waiting(1, "queued behind trial 3");
  std::unique_ptr<WatchView> view = WithWaitingTrials(
      MakeLineView(out),
      [&]() -> absl::StatusOr<v1::GetExperimentResponse> {
        ++fetched;
        return response;
      },
      out, /*terminal=*/false);
  v1::ExperimentEvent waits =
      Event(2, 0, -1, v1::TRIAL_STATE_UNSPECIFIED, "waiting: trial 3: ...");
  waits.mutable_experiment()->set_waiting_for("trial 3: needs 3");
  view->Event(Event(1, 0, -1, v1::TRIAL_STATE_UNSPECIFIED, ""));
  view->Event(waits);
  // The same reason again: nothing new, nothing asked.
  waits.set_sequence(3);
  view->Event(waits);
  EXPECT_EQ(fetched, 1);
  // A host left: the reason changes, and only the changed line shows.
  response.mutable_trials(0)->set_waiting_for("needs 3 free hosts; 1 found");
  waits.set_sequence(4);
  waits.mutable_experiment()->set_waiting_for("trial 3: needs 3, 1 found");
  view->Event(waits);
  EXPECT_EQ(fetched, 2);
  EXPECT_EQ(out.str(),
            "[0/4] experiment running\n"
            "[0/4] waiting: trial 3: ...\n"
            "  trial 3 waits: needs 3 free hosts; 2 found (h1, h2)\n"
            "  trials 0, 1 wait: queued behind trial 3\n"
            "[0/4] waiting: trial 3: ...\n"
            "[0/4] waiting: trial 3: ...\n"
            "  trial 3 waits: needs 3 free hosts; 1 found\n");
}

// WaitingTrialLines: one line per reason, only queued trials, numbers
// capped.
TEST(WatchViewTest, WaitingTrialLinesGroupTrialsByReason) {
  google::protobuf::RepeatedPtrField<v1::Trial> trials;
  for (int n = 0; n < 12; ++n) *trials.Add() = Waiting(n, "behind");
  *trials.Add() = Waiting(12, "no docker");
  v1::Trial placed = Waiting(13, "stale");
  placed.set_state(v1::TRIAL_STATE_PREPARING);
  *trials.Add() = placed;
  *trials.Add() = Waiting(14, "");
  EXPECT_THAT(WaitingTrialLines(trials),
              ::testing::ElementsAre(
                  "trials 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, and 2 more wait: "
                  "behind",
                  "trial 12 waits: no docker"));
}

}  // namespace
}  // namespace scalebench::cli
