// What watch shows: one line per event for logs, a bar redrawn in place on
// a terminal.
#include <sstream>
#include <string>

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

}  // namespace
}  // namespace scalebench::cli
