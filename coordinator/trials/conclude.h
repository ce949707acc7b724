// What happens to an attempt's results and to an experiment at its end:
// an attempt whose load generators all delivered is merged; an experiment
// whose trials have all ended either gets the next round of an adaptive
// policy's repetitions or ends, with the spec's models fitted to its
// results and stored. Thread-safe (the Store is).
#ifndef SCALEBENCH_COORDINATOR_TRIALS_CONCLUDE_H_
#define SCALEBENCH_COORDINATOR_TRIALS_CONCLUDE_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/store/stores.h"
#include "scalebench/v1/coordinator.pb.h"

namespace scalebench::coordinator {

// The merged result of attempt `key` when every load generator its
// placement names ("loadgen/N" roles) has stored a result and none
// failed; nullopt otherwise. Errors are the store's and the merge's.
absl::StatusOr<std::optional<v1::TrialResult>> MergeIfComplete(
    const v1::AttemptKey& key, const v1::Attempt& attempt,
    const v1::Configuration& configuration, uint32_t repetition, Stores& store);

// With an adaptive repetition policy, adds one more trial of every
// configuration whose median is not yet known precisely enough and that
// has runs left (results/repetitions.h), in the experiment's order for
// the round (shuffled with its seed plus the round number when
// randomized). Returns whether it added any. Not adaptive: false.
absl::StatusOr<bool> AddAdaptiveRound(const v1::Experiment& experiment,
                                      const std::vector<v1::Trial>& trials,
                                      Stores& store);

// For an experiment (FULL view) whose `trials` have all ended: with an
// adaptive repetition policy, the configurations whose median is not yet
// known precisely enough (and have runs left) get one more trial each, in
// an order shuffled with the experiment's seed and the round; otherwise
// the spec's models are fitted to the stored results and stored, and the
// experiment ends: SUCCEEDED when every trial succeeded, FAILED (saying
// how many did not) otherwise.
absl::Status ConcludeExperiment(const v1::Experiment& experiment,
                                const std::vector<v1::Trial>& trials,
                                Stores& store);

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_TRIALS_CONCLUDE_H_
