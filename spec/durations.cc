#include "spec/durations.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/flag_values.h"

namespace scalebench::spec {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

}  // namespace

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

google::protobuf::Duration ToProto(absl::Duration d) {
  google::protobuf::Duration proto;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  proto.set_seconds(seconds);
  proto.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
  return proto;
}

absl::Status ValidateProtoDuration(const google::protobuf::Duration& d) {
  if (d.nanos() <= -kNanosPerSecond || d.nanos() >= kNanosPerSecond ||
      (d.seconds() > 0 && d.nanos() < 0) ||
      (d.seconds() < 0 && d.nanos() > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("is not a well-formed duration (seconds ", d.seconds(),
                     ", nanos ", d.nanos(), ")"));
  }
  if (d.seconds() < 0 || d.nanos() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "is negative (", DurationText(d), "); a duration is >= 0"));
  }
  if (FromProto(d) > kMaxDuration) {
    return absl::InvalidArgumentError(absl::StrCat(
        "is longer than the maximum of ", absl::FormatDuration(kMaxDuration)));
  }
  return absl::OkStatus();
}

std::string DurationText(const google::protobuf::Duration& d) {
  return absl::FormatDuration(FromProto(d));
}

}  // namespace scalebench::spec
