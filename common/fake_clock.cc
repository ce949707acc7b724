#include "common/fake_clock.h"

namespace scalebench {
namespace {

struct Wakeup {
  const absl::Duration* now;
  absl::Duration deadline;
};

bool DeadlinePassed(Wakeup* w) { return *w->now >= w->deadline; }

}  // namespace

FakeClock::FakeClock(absl::Time wall_start) : wall_(wall_start) {}

absl::Duration FakeClock::Monotonic() const {
  absl::MutexLock lock(&mu_);
  return monotonic_;
}

absl::Time FakeClock::Wall() const {
  absl::MutexLock lock(&mu_);
  return wall_;
}

void FakeClock::SleepUntil(absl::Duration deadline) {
  absl::MutexLock lock(&mu_);
  Wakeup wakeup{&monotonic_, deadline};
  ++sleepers_;
  ++sleeps_begun_;
  mu_.Await(absl::Condition(&DeadlinePassed, &wakeup));
  --sleepers_;
}

void FakeClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  if (d < absl::ZeroDuration()) d = absl::ZeroDuration();
  monotonic_ += d;
  wall_ += d;
}

void FakeClock::SetWall(absl::Time wall) {
  absl::MutexLock lock(&mu_);
  wall_ = wall;
}

int FakeClock::sleepers() const {
  absl::MutexLock lock(&mu_);
  return sleepers_;
}

int FakeClock::sleeps_begun() const {
  absl::MutexLock lock(&mu_);
  return sleeps_begun_;
}

}  // namespace scalebench
