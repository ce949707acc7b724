// The rules of a schedule that need its cron expression: what a valid
// schedule is, when it next fires, and which firing is due now (folding
// the ones missed while the coordinator was down into one). Pure functions
// of their arguments; thread-safe.
#ifndef SCALEBENCH_COORDINATOR_NIGHTLY_NIGHTLY_SCHEDULE_RULES_H_
#define SCALEBENCH_COORDINATOR_NIGHTLY_NIGHTLY_SCHEDULE_RULES_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "coordinator/store/stores.h"
#include "scalebench/v1/schedules.pb.h"

namespace scalebench::coordinator {

// Schedule.threshold when it is 0: a change under 3% is "no change".
inline constexpr double kDefaultThreshold = 0.03;

// OK when `schedule` may be stored: a valid name, a valid spec, a cron
// expression and time zone common/cron.h accepts, a threshold in [0, 1),
// a baseline that is empty or an experiment name, and a webhook URL that
// is empty or http(s)://. INVALID_ARGUMENT naming the field otherwise
// ("cron: field 2 (hour) ...", "spec.sweep.instances: ...").
absl::Status ValidateSchedule(const v1::Schedule& schedule);

// The schedule's threshold, kDefaultThreshold when unset.
double EffectiveThreshold(const v1::Schedule& schedule);

// The first firing after the last one acted on; absent while paused or
// when the stored cron expression no longer parses.
std::optional<absl::Time> NextRunTime(const StoredSchedule& stored);

// A firing to act on now.
struct DueFiring {
  // The latest firing at or before now.
  absl::Time night;
  // Firings between the last one acted on and `night`, exclusive: missed
  // while the coordinator was down, folded into this one.
  uint32_t missed = 0;
};

// The firing due at `now`, if any: none while paused or before the next
// firing. However many firings passed since the last one acted on, one is
// due: the latest.
std::optional<DueFiring> FiringDue(const StoredSchedule& stored,
                                   absl::Time now);

// `stored.schedule` with next_run_time filled in, as the API returns it.
v1::Schedule WithNextRunTime(const StoredSchedule& stored);

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_NIGHTLY_NIGHTLY_SCHEDULE_RULES_H_
