#include "common/clock.h"

#include <time.h>

#include <cerrno>

#include "absl/time/time.h"

namespace scalebench {
namespace {

class RealClock final : public Clock {
 public:
  absl::Duration Monotonic() const override {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return absl::DurationFromTimespec(ts);
  }

  // The kernel's clock itself. absl::Now() is an estimate extrapolated from
  // it with the cycle counter; after the clock is stepped it slews towards
  // the new time over seconds (a worker whose clock was stepped by 50 ms
  // measured its offset 5 ms off a few seconds later, and a clean retry
  // failed as a clock step; tests/testbed/clock_offset_test.py).
  absl::Time Wall() const override {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return absl::TimeFromTimespec(ts);
  }

  void SleepUntil(absl::Duration deadline) override {
    const timespec ts = absl::ToTimespec(deadline);
    // clock_nanosleep returns the error number; EINTR means a signal
    // arrived before the deadline, so sleep again.
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) ==
           EINTR) {
    }
  }
};

}  // namespace

Clock* Clock::Real() {
  static RealClock* const clock = new RealClock();
  return clock;
}

}  // namespace scalebench
