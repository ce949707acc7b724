// Resource names of the v1 API (AIP-122): "experiments/{experiment}",
// "experiments/{experiment}/trials/{trial}", "workers/{worker}",
// "schedules/{schedule}". Ids are
// [A-Za-z0-9._-]{1,64} and never "." or ".."; trial numbers are decimal
// without leading zeros. Every binary formats and parses names here, so a
// name written by one is read by all. Thread-safe.
#ifndef SCALEBENCH_API_RESOURCE_NAMES_H_
#define SCALEBENCH_API_RESOURCE_NAMES_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace scalebench::api {

// OK when `id` may be the id segment of a name; INVALID_ARGUMENT saying
// what is wrong (empty, too long, a character outside [A-Za-z0-9._-])
// otherwise. `what` names the id in the message ("worker id").
absl::Status ValidateId(absl::string_view id, absl::string_view what);

// "experiments/exp-000042". `experiment_id` must be valid.
std::string ExperimentName(absl::string_view experiment_id);
// "experiments/exp-000042/trials/7".
std::string TrialName(absl::string_view experiment_id, uint32_t trial);
// A trial's short form for tables and people: "exp-000042/7".
std::string TrialShortName(absl::string_view experiment_id, uint32_t trial);
// "workers/host-a".
std::string WorkerName(absl::string_view worker_id);
// "schedules/nightly-nginx".
std::string ScheduleName(absl::string_view schedule_id);

struct TrialRef {
  std::string experiment_id;
  uint32_t trial = 0;
};

// The id in an experiment name. INVALID_ARGUMENT, quoting `name` and the
// expected form, when it is not one.
absl::StatusOr<std::string> ParseExperimentName(absl::string_view name);
// The experiment id and trial number in a trial name.
absl::StatusOr<TrialRef> ParseTrialName(absl::string_view name);
// The id in a worker name.
absl::StatusOr<std::string> ParseWorkerName(absl::string_view name);
// The id in a schedule name.
absl::StatusOr<std::string> ParseScheduleName(absl::string_view name);

}  // namespace scalebench::api

#endif  // SCALEBENCH_API_RESOURCE_NAMES_H_
