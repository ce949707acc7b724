// Why an experiment's queued trials are not placed, as one scheduler pass
// finds it: the first trial that cannot be placed blocks those after it
// (trials keep their order), and each says what it waits for, naming what
// is missing. Whether the workers could run a configuration at all is
// asked of them at most once per configuration and pass, and for at most
// kMaxConfigurationsChecked configurations (each asks every live host, and
// a pass comes every 100 ms): trials of further configurations say only
// that they are queued behind. Not thread-safe: one per experiment and
// pass.
#ifndef SCALEBENCH_COORDINATOR_TRIALS_TRIAL_WAITS_H_
#define SCALEBENCH_COORDINATOR_TRIALS_TRIAL_WAITS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "coordinator/trials/placement.h"
#include "scalebench/v1/coordinator.pb.h"

namespace scalebench::coordinator {

class TrialWaits final {
 public:
  static constexpr size_t kMaxConfigurationsChecked = 16;

  // The workers that synchronize now, busy or not; called at most once,
  // and only once a trial could not be placed.
  using LiveHostsFn = std::function<std::vector<CandidateHost>()>;

  TrialWaits(const PlacementRules& rules, LiveHostsFn live_hosts);
  TrialWaits(const TrialWaits&) = delete;
  TrialWaits& operator=(const TrialWaits&) = delete;

  // Whether a trial could not be placed: those after it wait behind it.
  bool blocked() const { return !blocker_.empty(); }

  // Records that `trial` (QUEUED) cannot be placed now, PlaceTrial having
  // said `placement`, and blocks those after it. Returns whether the live
  // hosts could run its configuration were they all idle
  // (CheckPlaceableOn): OK when it waits only for busy hosts.
  absl::Status Blocked(const v1::Trial& trial,
                       const v1::Configuration& configuration,
                       const absl::Status& placement);

  // Records that `trial` (QUEUED, after the blocked one) waits: for what
  // its own configuration lacks when the live hosts could never run it
  // (asked only within kMaxConfigurationsChecked), otherwise behind the
  // blocked trial.
  void Behind(const v1::Trial& trial, const v1::Configuration& configuration);

  // What each trial recorded waits for, by trial name; leaves none.
  absl::flat_hash_map<std::string, std::string> Take();

 private:
  // CheckPlaceableOn for `configuration` on the live hosts, memoized.
  const absl::Status& Never(const v1::Configuration& configuration);

  const PlacementRules rules_;
  const LiveHostsFn live_hosts_;
  std::optional<std::vector<CandidateHost>> live_;
  absl::flat_hash_map<uint32_t, absl::Status> never_;
  // "trial 3" once a trial is blocked; whether the hosts could never run
  // it.
  std::string blocker_;
  bool blocker_never_ = false;
  absl::flat_hash_map<std::string, std::string> reasons_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_TRIALS_TRIAL_WAITS_H_
