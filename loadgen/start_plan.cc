#include "loadgen/start_plan.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace scalebench::loadgen {

StartPlan PlanStart(const LoadOptions& options, const Clock& clock) {
  const absl::Duration now = clock.Monotonic();
  const absl::Time wall_now = clock.Wall();
  StartPlan plan;
  if (!options.start_at.has_value()) {
    plan.load_start = now + kStartLead;
    plan.window_start = plan.load_start + options.warmup;
    plan.window_start_wall = wall_now + (plan.window_start - now);
    return plan;
  }
  plan.window_start_wall = *options.start_at;
  plan.window_start = now + (*options.start_at - wall_now);
  plan.load_start = std::max(now, plan.window_start - options.warmup);
  const absl::Duration lateness = now - plan.window_start;
  if (lateness > options.start_tolerance) {
    plan.late = true;
    plan.late_by = lateness;
  }
  return plan;
}

std::string LateStartReason(absl::Duration late_by, absl::Time planned_wall,
                            absl::Duration tolerance) {
  return absl::StrFormat(
      "started %.1f ms after the planned instant %s (tolerance %g ms)",
      absl::ToDoubleMilliseconds(late_by),
      absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ",
                       absl::FromUnixMicros(absl::ToUnixMicros(planned_wall)),
                       absl::UTCTimeZone()),
      absl::ToDoubleMilliseconds(tolerance));
}

}  // namespace scalebench::loadgen
