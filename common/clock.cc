#include "common/clock.h"

#include <time.h>

#include <cerrno>

#include "absl/time/clock.h"

namespace scalebench {
namespace {

class RealClock final : public Clock {
 public:
  absl::Duration Monotonic() const override {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return absl::DurationFromTimespec(ts);
  }

  absl::Time Wall() const override { return absl::Now(); }

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
