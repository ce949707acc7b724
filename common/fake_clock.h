// A Clock for tests: time stands still until the test advances it.
// Thread-safe: one thread may block in SleepUntil while another advances.
#ifndef SCALEBENCH_COMMON_FAKE_CLOCK_H_
#define SCALEBENCH_COMMON_FAKE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace scalebench {

class FakeClock final : public Clock {
 public:
  // Starts at monotonic zero and at wall time `wall_start`.
  explicit FakeClock(absl::Time wall_start = absl::UnixEpoch());

  FakeClock(const FakeClock&) = delete;
  FakeClock& operator=(const FakeClock&) = delete;

  absl::Duration Monotonic() const override;
  absl::Time Wall() const override;

  // Returns when another thread has advanced the clock to `deadline`.
  void SleepUntil(absl::Duration deadline) override;

  // Moves both clocks forward by `d` and wakes sleepers whose deadline has
  // passed. A negative `d` is treated as zero: monotonic time never goes
  // backwards (use SetWall to step the wall clock back).
  void Advance(absl::Duration d);

  // Sets the wall clock alone, as when NTP steps it; monotonic time is
  // unchanged.
  void SetWall(absl::Time wall);

  // How many threads are blocked in SleepUntil, so a test can wait until
  // the code under test has gone to sleep before advancing.
  int sleepers() const;
  // How many times SleepUntil has been entered, so a test can tell a
  // thread's second sleep from its first.
  int sleeps_begun() const;

 private:
  mutable absl::Mutex mu_;
  absl::Duration monotonic_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
  absl::Time wall_ ABSL_GUARDED_BY(mu_);
  int sleepers_ ABSL_GUARDED_BY(mu_) = 0;
  int sleeps_begun_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_FAKE_CLOCK_H_
