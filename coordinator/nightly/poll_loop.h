// A thread that runs one pass of work every poll period until stopped: the
// nightly runner's and the webhook notifier's loop. The period is a poll
// period, not timing logic: when work is due is read off the caller's
// Clock. Thread-safe.
#ifndef SCALEBENCH_COORDINATOR_NIGHTLY_POLL_LOOP_H_
#define SCALEBENCH_COORDINATOR_NIGHTLY_POLL_LOOP_H_

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace scalebench::coordinator {

class PollLoop final {
 public:
  PollLoop() = default;
  PollLoop(const PollLoop&) = delete;
  PollLoop& operator=(const PollLoop&) = delete;
  // Stops the loop if it runs.
  ~PollLoop() { Stop(); }

  // Starts a thread that waits `period` (or until Stop), then runs `pass`,
  // over and over. Call once.
  void Start(absl::Duration period, std::function<void()> pass);

  // Ends the loop after the pass under way, and joins its thread.
  // Idempotent; OK when never started.
  void Stop();

 private:
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_NIGHTLY_POLL_LOOP_H_
