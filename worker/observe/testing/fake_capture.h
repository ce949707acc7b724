// Test doubles of the observer's capture (test-only). FakeCapture stands
// for the kernel's side: the test delivers segments and lets waits time
// out, and reads what the observer asked of it (filters, timeouts, when
// it closed the capture). Thread-safe: the observer's capture thread
// waits while the test drives.
#ifndef SCALEBENCH_WORKER_OBSERVE_TESTING_FAKE_CAPTURE_H_
#define SCALEBENCH_WORKER_OBSERVE_TESTING_FAKE_CAPTURE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "worker/observe/packet_source.h"

namespace scalebench::worker {

class FakeCapture final {
 public:
  FakeCapture() = default;
  FakeCapture(const FakeCapture&) = delete;
  FakeCapture& operator=(const FakeCapture&) = delete;

  // Opens sources over this capture (one at a time); must outlive them.
  PacketSourceFactory Factory();
  // Opening fails with `status` from now on.
  void FailOpen(absl::Status status);

  // The kernel received `segments`: the Wait in progress (or the next)
  // returns them with any staged ones.
  void Deliver(std::vector<DataSegment> segments);
  // The kernel received `segments` but no Wait has read them yet: the next
  // Wait that returns for another reason (a delivery, a time-out, a zero
  // timeout) returns them. An interrupted Wait does not.
  void Stage(std::vector<DataSegment> segments);
  // The Wait in progress (or the next) times out: returns what is staged.
  void TimeOut();
  // The Wait in progress (or the next) fails with `status`.
  void Fail(absl::Status status);

  // Blocks until the observer has begun `count` Waits in all.
  void AwaitWaits(int count);
  // Blocks until the observer has closed the source it opened.
  void AwaitClosed();

  // The timeout of every Wait so far, in order.
  std::vector<absl::Duration> timeouts() const;
  // The filter the source was opened with, then each Refilter's.
  std::vector<CaptureFilter> filters() const;
  int opened() const;
  bool closed() const;
  int interrupts() const;

 private:
  class Source;

  absl::StatusOr<std::vector<DataSegment>> Wait(absl::Duration timeout);
  void Interrupt();
  void Refilter(const CaptureFilter& filter);
  void Close();

  mutable absl::Mutex mu_;
  std::optional<absl::Status> open_error_ ABSL_GUARDED_BY(mu_);
  std::vector<DataSegment> received_ ABSL_GUARDED_BY(mu_);
  // Waits to end with what was received (deliveries and time-outs).
  int releases_ ABSL_GUARDED_BY(mu_) = 0;
  bool interrupted_ ABSL_GUARDED_BY(mu_) = false;
  int interrupts_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<absl::Status> failure_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Duration> timeouts_ ABSL_GUARDED_BY(mu_);
  std::vector<CaptureFilter> filters_ ABSL_GUARDED_BY(mu_);
  int opened_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_OBSERVE_TESTING_FAKE_CAPTURE_H_
