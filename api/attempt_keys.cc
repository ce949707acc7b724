#include "api/attempt_keys.h"

namespace scalebench::api {

bool SameAttempt(const v1::AttemptKey& a, const v1::AttemptKey& b) {
  return a.trial() == b.trial() && a.attempt() == b.attempt();
}

const v1::AttemptKey* ReportedAttempt(const v1::WorkerState& state) {
  switch (state.state_case()) {
    case v1::WorkerState::kPreparing:
      return &state.preparing().key();
    case v1::WorkerState::kReady:
      return &state.ready().key();
    case v1::WorkerState::kMeasuring:
      return &state.measuring().key();
    case v1::WorkerState::kFinished:
      return &state.finished().key();
    case v1::WorkerState::kTearingDown:
      return &state.tearing_down().key();
    default:
      return nullptr;
  }
}

}  // namespace scalebench::api
