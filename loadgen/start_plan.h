// When a run starts: the monotonic instants at which load begins and the
// measurement window opens, decided once from LoadOptions and a Clock, and
// whether the planned instant has already passed by more than the
// tolerance (a late start, which fails the run instead of shrinking its
// window). Pure; thread-safe.
#ifndef SCALEBENCH_LOADGEN_START_PLAN_H_
#define SCALEBENCH_LOADGEN_START_PLAN_H_

#include <string>

#include "absl/time/time.h"
#include "common/clock.h"
#include "loadgen/options.h"

namespace scalebench::loadgen {

// Threads are created, then all begin this long after planning, so they
// begin together (used when no start_at is given).
inline constexpr absl::Duration kStartLead = absl::Milliseconds(20);

struct StartPlan {
  // On the clock's Monotonic() time base: when load begins (the warm-up
  // starts), and the planned instant the measurement window opens.
  absl::Duration load_start;
  absl::Duration window_start;
  // The planned window start as wall-clock time (start_at when given).
  absl::Time window_start_wall;
  // The planned window start was already more than the tolerance in the
  // past at planning time: no load is to be sent. `late_by` is how late.
  bool late = false;
  absl::Duration late_by = absl::ZeroDuration();
};

// Plans the start at the clock's present instant. With options.start_at,
// the window opens at that wall-clock instant, converted once to the
// monotonic clock; the warm-up begins before it, or at once if its start
// has passed. Without it, load begins kStartLead from now and the window
// opens after the warm-up.
StartPlan PlanStart(const LoadOptions& options, const Clock& clock);

// "started 200.3 ms after the planned instant 2026-...Z (tolerance 5 ms)".
std::string LateStartReason(absl::Duration late_by, absl::Time planned_wall,
                            absl::Duration tolerance);

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_START_PLAN_H_
