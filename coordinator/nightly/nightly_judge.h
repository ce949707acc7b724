// The verdict on one scheduled run once its experiment has ended, and the
// notifications it calls for. A failed or cancelled run is "failed". A
// successful one is compared (results/compare_runs.h, requests_per_s,
// the schedule's threshold) with its baseline: the pinned experiment, or
// the schedule's latest successful run of an earlier night; and the
// schedule's nightly history is searched for change points
// (results/nightly_history.h) larger than the threshold. Each event has a
// key that names it once (the run, or the configuration and the night its
// shift began), so judging again never queues it twice. Reads the store;
// writes nothing. Thread-safe.
#ifndef SCALEBENCH_COORDINATOR_NIGHTLY_NIGHTLY_JUDGE_H_
#define SCALEBENCH_COORDINATOR_NIGHTLY_NIGHTLY_JUDGE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/store/stores.h"

namespace scalebench::coordinator {

// Verdicts beyond analysis::VerdictName's "regression", "improvement" and
// "no_change".
inline constexpr char kVerdictFailed[] = "failed";
inline constexpr char kVerdictNoBaseline[] = "no_baseline";
// The metric nightly runs are judged on.
inline constexpr char kNightlyMetric[] = "requests_per_s";

struct Judgement {
  // "regression", "improvement", "no_change", "failed" or "no_baseline".
  std::string verdict;
  // One line for people saying why.
  std::string detail;
  // For the outbox; empty when the schedule has no webhook.
  std::vector<NewNotification> notifications;
};

// Judges `run`, whose experiment has ended. Errors: the store's, and
// INVALID_ARGUMENT when the results cannot be compared.
absl::StatusOr<Judgement> JudgeRun(Stores& store, const UnjudgedRun& run);

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_NIGHTLY_NIGHTLY_JUDGE_H_
