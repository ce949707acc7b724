#include "common/proto_time.h"

#include <cstdint>

namespace scalebench {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

}  // namespace

google::protobuf::Duration DurationToProto(absl::Duration d) {
  // Seconds and nanos carry the same sign (protobuf's rule).
  const int64_t ns = absl::ToInt64Nanoseconds(d);
  google::protobuf::Duration proto;
  proto.set_seconds(ns / kNanosPerSecond);
  proto.set_nanos(static_cast<int32_t>(ns % kNanosPerSecond));
  return proto;
}

absl::Duration DurationFromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

google::protobuf::Timestamp TimeToProto(absl::Time t) {
  // Nanos are in [0, 1e9) whatever the sign of the seconds.
  const absl::Duration since = t - absl::UnixEpoch();
  int64_t seconds = absl::ToInt64Seconds(since);
  absl::Duration rest = since - absl::Seconds(seconds);
  if (rest < absl::ZeroDuration()) {
    --seconds;
    rest += absl::Seconds(1);
  }
  google::protobuf::Timestamp proto;
  proto.set_seconds(seconds);
  proto.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(rest)));
  return proto;
}

absl::Time TimeFromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace scalebench
