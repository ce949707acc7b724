// Following one experiment's event stream until the experiment ends,
// across coordinator restarts: when the stream breaks because the
// coordinator is unreachable, FollowExperiment backs off (on the Clock),
// probes with GetExperiment until the coordinator answers, and reattaches
// after the last sequence it saw, so no event is lost or shown twice. It
// gives up only after WatchOptions::give_up_after without any contact.
// The RPCs sit behind WatchSource so the loop is tested without a server.
// Not thread-safe; one loop per watch.
#ifndef SCALEBENCH_CLI_WATCH_LOOP_H_
#define SCALEBENCH_CLI_WATCH_LOOP_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "scalebench/v1/coordinator.pb.h"

namespace scalebench::cli {

// One open WatchExperiment stream.
class EventStream {
 public:
  virtual ~EventStream() = default;
  // The next event; false when the stream has ended (then call Finish).
  virtual bool Next(v1::ExperimentEvent* event) = 0;
  // Why the stream ended: OK when the server closed it.
  virtual absl::Status Finish() = 0;
};

// The calls the loop makes.
class WatchSource {
 public:
  virtual ~WatchSource() = default;
  // GetExperiment (BASIC view).
  virtual absl::StatusOr<v1::Experiment> Get(const std::string& name) = 0;
  // WatchExperiment from after `after_sequence`. Never null.
  virtual std::unique_ptr<EventStream> Open(const std::string& name,
                                            uint64_t after_sequence) = 0;
};

// What the loop reports as it goes.
class WatchView {
 public:
  virtual ~WatchView() = default;
  // Each event once, in sequence order.
  virtual void Event(const v1::ExperimentEvent& event) = 0;
  // The coordinator became unreachable (once per outage), and answered
  // again.
  virtual void Reconnecting(const absl::Status& why) = 0;
  virtual void Reconnected() = 0;
};

struct WatchOptions {
  // The wait before the first probe after the stream breaks, doubling up
  // to max_backoff. Defaults 500 ms and 10 s.
  absl::Duration first_backoff = absl::Milliseconds(500);
  absl::Duration max_backoff = absl::Seconds(10);
  // Give up when the coordinator has not answered for this long. Default
  // 10 minutes.
  absl::Duration give_up_after = absl::Minutes(10);
};

// True for SUCCEEDED, FAILED and CANCELLED.
bool IsEnded(v1::ExperimentState state);

// Follows experiment `name` until it ends and returns it as it ended.
// A stream or probe that fails with UNAVAILABLE, DEADLINE_EXCEEDED or
// CANCELLED (a coordinator shutting down cancels open calls) is retried.
// Errors: UNAVAILABLE or DEADLINE_EXCEEDED when the coordinator cannot be
// reached at first, or has not answered for `give_up_after`; NOT_FOUND,
// INVALID_ARGUMENT and any other error of a call as the server gave it.
absl::StatusOr<v1::Experiment> FollowExperiment(WatchSource& source,
                                                const std::string& name,
                                                Clock& clock, WatchView& view,
                                                const WatchOptions& options);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_WATCH_LOOP_H_
