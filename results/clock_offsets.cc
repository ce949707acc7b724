#include "results/clock_offsets.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "common/proto_time.h"

namespace scalebench::results {
namespace {

bool Usable(const ClockSample& s) {
  return s.t4 >= s.t1 && s.t3 >= s.t2 && RoundTrip(s) >= absl::ZeroDuration();
}

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

}  // namespace

absl::Duration RoundTrip(const ClockSample& s) {
  return (s.t4 - s.t1) - (s.t3 - s.t2);
}

absl::Duration Offset(const ClockSample& s) {
  return ((s.t2 - s.t1) + (s.t3 - s.t4)) / 2;
}

std::optional<v1::ClockOffset> OffsetFromBurst(
    const std::vector<ClockSample>& samples) {
  const ClockSample* best = nullptr;
  absl::Duration shortest = absl::InfiniteDuration();
  absl::Duration longest = absl::ZeroDuration();
  uint32_t usable = 0;
  for (const ClockSample& sample : samples) {
    if (!Usable(sample)) continue;
    ++usable;
    const absl::Duration round_trip = RoundTrip(sample);
    longest = std::max(longest, round_trip);
    if (round_trip < shortest) {
      shortest = round_trip;
      best = &sample;
    }
  }
  if (best == nullptr) return std::nullopt;
  v1::ClockOffset offset;
  *offset.mutable_offset() = DurationToProto(Offset(*best));
  *offset.mutable_uncertainty() = DurationToProto(shortest / 2);
  *offset.mutable_min_round_trip() = DurationToProto(shortest);
  *offset.mutable_max_round_trip() = DurationToProto(longest);
  offset.set_samples(usable);
  *offset.mutable_time() = TimeToProto(best->t4);
  return offset;
}

OffsetAt InterpolateOffset(const v1::ClockOffset& before,
                           const v1::ClockOffset* after, absl::Time local) {
  const absl::Duration offset_before = DurationFromProto(before.offset());
  const absl::Duration uncertainty_before =
      DurationFromProto(before.uncertainty());
  const absl::Time time_before = TimeFromProto(before.time());
  if (after == nullptr || TimeFromProto(after->time()) <= time_before) {
    return {offset_before, uncertainty_before};
  }
  const absl::Time time_after = TimeFromProto(after->time());
  const double f = std::clamp(
      absl::FDivDuration(local - time_before, time_after - time_before), 0.0,
      1.0);
  const absl::Duration offset_after = DurationFromProto(after->offset());
  return {
      offset_before + (offset_after - offset_before) * f,
      std::max(uncertainty_before, DurationFromProto(after->uncertainty()))};
}

StartSkew SkewOnCoordinatorClock(absl::Duration lateness,
                                 const v1::ClockOffset& before,
                                 const v1::ClockOffset* after,
                                 absl::Time planned_start) {
  const absl::Duration converted_with = DurationFromProto(before.offset());
  const absl::Time began = planned_start - converted_with + lateness;
  const OffsetAt then = InterpolateOffset(before, after, began);
  // Began at `began` on this host's clock: that plus the offset then on
  // the coordinator's.
  return {lateness + (then.offset - converted_with), then.uncertainty};
}

std::optional<std::string> ClockStepReason(const std::string& worker_id,
                                           const v1::WorkerClock& clock) {
  if (!clock.has_before() || !clock.has_after()) return std::nullopt;
  const v1::ClockOffset& before = clock.before();
  const v1::ClockOffset& after = clock.after();
  const absl::Duration moved =
      DurationFromProto(after.offset()) - DurationFromProto(before.offset());
  const absl::Duration between = absl::AbsDuration(
      TimeFromProto(after.time()) - TimeFromProto(before.time()));
  const absl::Duration allowed = DurationFromProto(before.uncertainty()) +
                                 DurationFromProto(after.uncertainty()) +
                                 between * kMaxSteadyRate;
  if (absl::AbsDuration(moved) <= allowed) return std::nullopt;
  return absl::StrFormat(
      "worker %s: its clock moved %+.3f ms against the coordinator's in "
      "%.1f s during the attempt (offset %+.3f ± %.3f ms before the "
      "window, %+.3f ± %.3f ms after), more than the %.3f ms a steadily "
      "running clock allows: it was stepped or slewed, so T0 may have been "
      "converted wrongly there",
      worker_id, Ms(moved), absl::ToDoubleSeconds(between),
      Ms(DurationFromProto(before.offset())),
      Ms(DurationFromProto(before.uncertainty())),
      Ms(DurationFromProto(after.offset())),
      Ms(DurationFromProto(after.uncertainty())), Ms(allowed));
}

}  // namespace scalebench::results
