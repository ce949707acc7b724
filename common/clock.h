// Time, injectable. Code that schedules or measures takes a Clock* so tests
// can drive a FakeClock instead of sleeping. Implementations are
// thread-safe.
#ifndef SCALEBENCH_COMMON_CLOCK_H_
#define SCALEBENCH_COMMON_CLOCK_H_

#include "absl/time/time.h"

namespace scalebench {

class Clock {
 public:
  virtual ~Clock() = default;

  // Monotonic time since an arbitrary origin fixed for the process; never
  // goes backwards. For measuring intervals and scheduling.
  virtual absl::Duration Monotonic() const = 0;

  // Wall-clock (civil) time; may jump. For timestamps that cross hosts.
  virtual absl::Time Wall() const = 0;

  // Blocks until Monotonic() >= deadline. Returns at once if it already is.
  virtual void SleepUntil(absl::Duration deadline) = 0;

  // The process-wide clock: Monotonic() reads CLOCK_MONOTONIC itself (so it
  // agrees with direct clock_gettime readings on hot paths) and Wall()
  // CLOCK_REALTIME.
  // Never null; not owned by the caller.
  static Clock* Real();
};

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_CLOCK_H_
