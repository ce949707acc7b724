#include "worker/driver.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "worker/http_probe.h"

namespace scalebench::worker {
namespace {

// How often WaitUntilAnswering probes, and one probe's timeout.
constexpr absl::Duration kProbeInterval = absl::Milliseconds(50);
constexpr absl::Duration kProbeTimeout = absl::Seconds(1);

}  // namespace

std::string Termination::ToString() const {
  switch (reason) {
    case Reason::kExited:
      return absl::StrCat("exited with status ", exit_code);
    case Reason::kSignaled:
      return absl::StrCat("was killed by signal ", signal);
    case Reason::kStopped:
      return "was stopped";
    case Reason::kGone:
      break;
  }
  return "is gone";
}

Termination TerminationOf(const os::ProcessStatus& status) {
  Termination termination;
  switch (status.state) {
    case os::ProcessStatus::State::kExited:
      termination.reason = Termination::Reason::kExited;
      termination.exit_code = status.exit_code;
      break;
    case os::ProcessStatus::State::kSignaled:
      termination.reason = Termination::Reason::kSignaled;
      termination.signal = status.signal;
      break;
    case os::ProcessStatus::State::kGone:
      termination.reason = status.pid == 0 ? Termination::Reason::kStopped
                                           : Termination::Reason::kGone;
      break;
    case os::ProcessStatus::State::kRunning:
      break;
  }
  return termination;
}

absl::Status WaitUntilAnswering(
    const Target& target, absl::Duration timeout, Clock& clock,
    const std::function<std::optional<Termination>()>& ended) {
  const absl::Duration deadline = clock.Monotonic() + timeout;
  absl::Status last;
  while (true) {
    last =
        ProbeHttp(target.endpoint, clock,
                  std::min(kProbeTimeout, std::max(deadline - clock.Monotonic(),
                                                   absl::Milliseconds(1))));
    if (last.ok() || last.code() == absl::StatusCode::kInvalidArgument) {
      return last;
    }
    if (ended) {
      if (std::optional<Termination> termination = ended()) {
        return absl::FailedPreconditionError(
            absl::StrCat(target.id, " ", termination->ToString(),
                         " before it answered on ", target.endpoint));
      }
    }
    if (clock.Monotonic() >= deadline) break;
    clock.SleepUntil(std::min(deadline, clock.Monotonic() + kProbeInterval));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(target.endpoint, " did not answer HTTP within ",
                   absl::FormatDuration(timeout), ": ", last.message()));
}

absl::Status Instances::WaitReady(const Target& target,
                                  absl::Duration timeout) {
  return WaitUntilAnswering(target, timeout, *context_.clock,
                            [&]() -> std::optional<Termination> {
                              absl::StatusOr<std::optional<Termination>> ended =
                                  Terminated(target.id);
                              return ended.ok() ? *ended : std::nullopt;
                            });
}

}  // namespace scalebench::worker
