// The order an experiment's trials run in, fixed when the experiment is
// created and stored with it: configurations x repetitions, numbered in
// order. Sequential keeps a configuration's repetitions together;
// randomized shuffles every round with the experiment's seed, through a
// fully specified generator so the order is the same on every build.
// Pure functions; thread-safe.
#ifndef SCALEBENCH_COORDINATOR_TRIALS_TRIAL_ORDER_H_
#define SCALEBENCH_COORDINATOR_TRIALS_TRIAL_ORDER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::coordinator {

// One trial: which configuration, which repetition of it (from 0).
struct TrialPlan {
  uint32_t configuration_index;
  uint32_t repetition;
};

// Trials in the order they run; their position is their number.
// INVALID_ARGUMENT, allocating nothing, when configurations x repetitions
// exceeds spec::kMaxTrials (validation refuses such a spec before).
absl::StatusOr<std::vector<TrialPlan>> PlanTrials(uint32_t configurations,
                                                  uint32_t repetitions,
                                                  v1::TrialOrder order,
                                                  uint64_t seed);

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_TRIALS_TRIAL_ORDER_H_
