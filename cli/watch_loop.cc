#include "cli/watch_loop.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "cli/client.h"

namespace scalebench::cli {

namespace {

// A call that failed because the coordinator is away or going away: not
// reachable, or cancelled by a server shutting down (this client never
// cancels the calls it waits on).
bool IsTransient(const absl::Status& status) {
  return IsUnreachable(status) || absl::IsCancelled(status);
}

}  // namespace

bool IsEnded(v1::ExperimentState state) {
  return state == v1::EXPERIMENT_STATE_SUCCEEDED ||
         state == v1::EXPERIMENT_STATE_FAILED ||
         state == v1::EXPERIMENT_STATE_CANCELLED;
}

absl::StatusOr<v1::Experiment> FollowExperiment(WatchSource& source,
                                                const std::string& name,
                                                Clock& clock, WatchView& view,
                                                const WatchOptions& options) {
  absl::StatusOr<v1::Experiment> latest = source.Get(name);
  if (!latest.ok()) return latest.status();
  uint64_t last_sequence = 0;
  absl::Duration last_contact = clock.Monotonic();
  absl::Duration backoff = options.first_backoff;
  bool reconnecting = false;
  while (true) {
    std::unique_ptr<EventStream> stream = source.Open(name, last_sequence);
    v1::ExperimentEvent event;
    while (stream->Next(&event)) {
      if (event.sequence() <= last_sequence) continue;  // Never twice.
      last_sequence = event.sequence();
      last_contact = clock.Monotonic();
      backoff = options.first_backoff;
      *latest = event.experiment();
      view.Event(event);
      if (IsEnded(latest->state())) return *latest;
    }
    absl::Status status = stream->Finish();
    stream.reset();
    if (status.ok()) {
      // The server closed the stream: the experiment ended, or the
      // coordinator is going away; either way ask it again.
      status = absl::UnavailableError("the coordinator closed the stream");
    } else if (!IsTransient(status)) {
      return status;
    }
    if (!reconnecting) {
      view.Reconnecting(status);
      reconnecting = true;
    }
    // Probe with a unary call until the coordinator answers.
    while (true) {
      const absl::Duration silent = clock.Monotonic() - last_contact;
      if (silent >= options.give_up_after) {
        return absl::UnavailableError(
            absl::StrCat("no answer for ", absl::FormatDuration(silent),
                         ", giving up: ", status.message()));
      }
      clock.SleepUntil(clock.Monotonic() +
                       std::min(backoff, options.give_up_after - silent));
      backoff = std::min(backoff * 2, options.max_backoff);
      absl::StatusOr<v1::Experiment> probe = source.Get(name);
      if (probe.ok()) {
        last_contact = clock.Monotonic();
        view.Reconnected();
        reconnecting = false;
        break;
      }
      if (!IsTransient(probe.status())) return probe.status();
      status = probe.status();
    }
  }
}

}  // namespace scalebench::cli
