#include "coordinator/trials/result_checks.h"

#include <google/protobuf/util/time_util.h>

#include <array>
#include <cmath>
#include <string>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/proto_time.h"
#include "results/histogram.h"

namespace scalebench::coordinator {
namespace {

using google::protobuf::util::TimeUtil;

std::string Format(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

absl::Status Refuse(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

absl::Status CheckTimestamp(absl::string_view field,
                            const google::protobuf::Timestamp& t) {
  if (t.seconds() < TimeUtil::kTimestampMinSeconds ||
      t.seconds() > TimeUtil::kTimestampMaxSeconds || t.nanos() < 0 ||
      t.nanos() > 999'999'999) {
    return Refuse(field, absl::StrCat(t.seconds(), " s and ", t.nanos(),
                                      " ns is not a time in years 1 to 9999"));
  }
  return absl::OkStatus();
}

absl::Status CheckDuration(absl::string_view field,
                           const google::protobuf::Duration& d) {
  if (d.seconds() < TimeUtil::kDurationMinSeconds ||
      d.seconds() > TimeUtil::kDurationMaxSeconds || d.nanos() < -999'999'999 ||
      d.nanos() > 999'999'999 || (d.seconds() > 0 && d.nanos() < 0) ||
      (d.seconds() < 0 && d.nanos() > 0)) {
    return Refuse(field, absl::StrCat(d.seconds(), " s and ", d.nanos(),
                                      " ns is not a valid duration"));
  }
  return absl::OkStatus();
}

// The measurement window of `load` against when it can have happened.
absl::Status CheckWindow(const v1::LoadgenResult& load,
                         const ResultContext& context) {
  if (absl::Status s = CheckTimestamp("loadgen.start_time", load.start_time());
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckDuration("loadgen.duration", load.duration());
      !s.ok()) {
    return s;
  }
  const absl::Duration window = DurationFromProto(load.duration());
  if (window <= absl::ZeroDuration()) {
    return Refuse("loadgen.duration",
                  absl::StrCat(absl::FormatDuration(window),
                               " is not a positive window"));
  }
  // On the coordinator's clock, within `uncertainty`.
  const absl::Duration uncertainty =
      context.clock_offset.has_value()
          ? absl::AbsDuration(context.round_trip) / 2 + kClockSlack
          : kUnknownClockSlack;
  const absl::Time start = TimeFromProto(load.start_time()) -
                           context.clock_offset.value_or(absl::ZeroDuration());
  const absl::Time earliest =
      context.measure.has_value()
          ? TimeFromProto(context.measure->start_time()) - uncertainty
          : context.receive_time - kMaxResultAge - uncertainty;
  if (start < earliest) {
    return Refuse(
        "loadgen.start_time",
        absl::StrCat(Format(start), " (on the coordinator's clock) is before ",
                     context.measure.has_value()
                         ? "the planned start of the window"
                         : "the oldest window a result may report",
                     ", ", Format(earliest + uncertainty), ", less ",
                     absl::FormatDuration(uncertainty),
                     " of clock uncertainty"));
  }
  const absl::Time latest = context.receive_time + uncertainty;
  if (start + window > latest) {
    return Refuse(
        "loadgen.start_time + loadgen.duration",
        absl::StrCat("the window ends at ", Format(start + window),
                     " (on the coordinator's clock), after the result arrived "
                     "at ",
                     Format(context.receive_time), " plus ",
                     absl::FormatDuration(uncertainty),
                     " of clock uncertainty"));
  }
  if (context.measure.has_value() && context.measure->load().has_duration()) {
    const v1::LoadSpec& planned = context.measure->load();
    const absl::Duration length = DurationFromProto(planned.duration());
    const absl::Duration timeout = planned.has_timeout()
                                       ? DurationFromProto(planned.timeout())
                                       : absl::Seconds(10);
    if (window < length * kMinWindowShare) {
      return Refuse("loadgen.duration",
                    absl::StrCat(absl::FormatDuration(window),
                                 " is shorter than a tenth of the planned ",
                                 absl::FormatDuration(length)));
    }
    if (window > length + timeout + kWindowSlack) {
      return Refuse("loadgen.duration",
                    absl::StrCat(absl::FormatDuration(window),
                                 " is longer than the planned ",
                                 absl::FormatDuration(length), " plus ",
                                 absl::FormatDuration(timeout + kWindowSlack)));
    }
  }
  const double requests_per_s =
      static_cast<double>(load.requests()) / absl::ToDoubleSeconds(window);
  if (requests_per_s > kMaxRequestsPerSecond) {
    return Refuse(
        "loadgen.requests",
        absl::StrFormat("%d requests in %s is more than one a "
                        "nanosecond",
                        load.requests(), absl::FormatDuration(window)));
  }
  return absl::OkStatus();
}

// An uncertainty (or half a round trip): a valid, non-negative duration
// no longer than half kMaxClockRoundTrip.
absl::Status CheckUncertainty(absl::string_view field,
                              const google::protobuf::Duration& d,
                              absl::Duration limit = kMaxClockRoundTrip / 2) {
  if (absl::Status s = CheckDuration(field, d); !s.ok()) return s;
  const absl::Duration value = DurationFromProto(d);
  if (value < absl::ZeroDuration() || value > limit) {
    return Refuse(field,
                  absl::StrCat(absl::FormatDuration(value), " is not in [0, ",
                               absl::FormatDuration(limit), "]"));
  }
  return absl::OkStatus();
}

absl::Status CheckClockOffset(absl::string_view field,
                              const v1::ClockOffset& o) {
  const std::string f(field);
  if (absl::Status s = CheckDuration(f + ".offset", o.offset()); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckTimestamp(f + ".time", o.time()); !s.ok()) {
    return s;
  }
  for (const auto& [name, value, limit] :
       {std::tuple<const char*, const google::protobuf::Duration&,
                   absl::Duration>{".uncertainty", o.uncertainty(),
                                   kMaxClockRoundTrip / 2},
        {".min_round_trip", o.min_round_trip(), kMaxClockRoundTrip},
        {".max_round_trip", o.max_round_trip(), kMaxClockRoundTrip}}) {
    if (absl::Status s = CheckUncertainty(f + name, value, limit); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// Observed starts only of the hosts the balancer's host was told to watch,
// each once.
absl::Status CheckObservedStarts(const v1::WorkerResult& result,
                                 const ResultContext& context) {
  if (result.observe_failure().size() > kMaxObserveFailureBytes) {
    return Refuse(
        "observe_failure",
        absl::StrCat(result.observe_failure().size(), " bytes is longer than ",
                     kMaxObserveFailureBytes));
  }
  absl::flat_hash_set<std::string> named, seen;
  if (context.measure.has_value()) {
    for (const v1::LoadSource& source : context.measure->load_sources()) {
      named.insert(source.worker_id());
    }
  }
  for (int i = 0; i < result.observed_starts_size(); ++i) {
    const v1::ObservedStart& start = result.observed_starts(i);
    const std::string field = absl::StrCat("observed_starts[", i, "]");
    if (context.measure.has_value() && !named.contains(start.worker_id())) {
      return Refuse(field + ".worker_id",
                    absl::StrCat("'", start.worker_id(),
                                 "' is not a load source of this attempt"));
    }
    if (!seen.insert(start.worker_id()).second) {
      return Refuse(field + ".worker_id",
                    absl::StrCat("'", start.worker_id(), "' appears twice"));
    }
    if (absl::Status s =
            CheckTimestamp(field + ".first_request", start.first_request());
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckWorkerResult(const v1::WorkerResult& result,
                               const ResultContext& context) {
  if (result.has_failure()) return absl::OkStatus();
  for (const auto& [field, present, offset] :
       {std::tuple<const char*, bool, const v1::ClockOffset&>{
            "clock.before", result.clock().has_before(),
            result.clock().before()},
        {"clock.after", result.clock().has_after(), result.clock().after()}}) {
    if (!present) continue;
    if (absl::Status s = CheckClockOffset(field, offset); !s.ok()) return s;
  }
  if (absl::Status s = CheckObservedStarts(result, context); !s.ok()) {
    return s;
  }
  for (int i = 0; i < result.core_busy_size(); ++i) {
    const double busy = result.core_busy(i).busy();
    if (!(busy >= 0 && busy <= 1)) {
      return Refuse(absl::StrCat("core_busy[", i, "].busy"),
                    absl::StrCat(busy, " is not a fraction in [0, 1]"));
    }
  }
  if (!result.has_loadgen() || result.loadgen().has_failure()) {
    return absl::OkStatus();
  }
  const v1::LoadgenResult& load = result.loadgen();
  if (absl::Status s = CheckUncertainty("loadgen.start_skew_uncertainty",
                                        load.start_skew_uncertainty());
      !s.ok()) {
    return s;
  }
  if (absl::StatusOr<results::Histogram> latency =
          results::Histogram::FromProto(load.latency());
      !latency.ok()) {
    return Refuse("loadgen.latency", latency.status().message());
  }
  if (load.latency().count() != load.requests()) {
    return Refuse("loadgen.latency.count",
                  absl::StrCat(load.latency().count(), " latencies for ",
                               load.requests(), " completed requests"));
  }
  // Throughput counts the 2xx responses: no more of them, nor of any
  // status, than completed requests.
  const v1::StatusClassCounts& c = load.status_classes();
  const absl::uint128 classes = absl::uint128(c.status_1xx()) + c.status_2xx() +
                                c.status_3xx() + c.status_4xx() +
                                c.status_5xx();
  if (classes > load.requests()) {
    return Refuse("loadgen.status_classes",
                  absl::StrCat(absl::Uint128Low64(classes),
                               " responses by status class for ",
                               load.requests(), " completed requests"));
  }
  // The codes, when given (a worker before them gives none), add up to
  // their classes: the failure reasons name codes, throughput counts 2xx.
  std::array<absl::uint128, 5> by_class{};
  for (const auto& [code, count] : load.statuses()) {
    if (code < 100 || code > 599) {
      return Refuse("loadgen.statuses",
                    absl::StrCat(code, " is not a status code (100 to 599)"));
    }
    by_class[code / 100 - 1] += count;
  }
  const std::array<uint64_t, 5> classes_given = {c.status_1xx(), c.status_2xx(),
                                                 c.status_3xx(), c.status_4xx(),
                                                 c.status_5xx()};
  for (size_t i = 0; i < by_class.size() && !load.statuses().empty(); ++i) {
    if (by_class[i] != classes_given[i]) {
      return Refuse("loadgen.statuses",
                    absl::StrCat("the ", i + 1, "xx codes add up to ",
                                 absl::Uint128Low64(by_class[i]), ", not the ",
                                 classes_given[i], " of status_classes"));
    }
  }
  return CheckWindow(load, context);
}

v1::WorkerResult RefusedResult(const v1::WorkerResult& result,
                               const absl::Status& why) {
  v1::WorkerResult refused;
  *refused.mutable_key() = result.key();
  refused.set_worker_id(result.worker_id());
  *refused.mutable_environment() = result.environment();
  v1::Failure& failure = *refused.mutable_failure();
  failure.set_kind(v1::FAILURE_KIND_INTERNAL);
  failure.set_reason(absl::StrCat(
      "the coordinator refused the worker's result: ", why.message()));
  return refused;
}

}  // namespace scalebench::coordinator
