// Conversions between google.protobuf.Duration, absl::Duration and the
// duration text of the spec YAML ("30s", "500ms"), so every reader of a
// spec converts the same way. Stateless; thread-safe.
#ifndef SCALEBENCH_SPEC_DURATIONS_H_
#define SCALEBENCH_SPEC_DURATIONS_H_

#include <google/protobuf/duration.pb.h>

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace scalebench::spec {

// The duration `d` holds. Meaningful only for a valid `d`
// (ValidateProtoDuration); an invalid one converts without overflow but
// to an unspecified value.
absl::Duration FromProto(const google::protobuf::Duration& d);

// `d` as a proto; `d` must be finite.
google::protobuf::Duration ToProto(absl::Duration d);

// OK when `d` is a well-formed proto duration (seconds and nanos of one
// sign, |nanos| < 1e9), >= 0 and at most kMaxDuration
// (common/flag_values.h). INVALID_ARGUMENT saying which otherwise; the
// caller prefixes the field.
absl::Status ValidateProtoDuration(const google::protobuf::Duration& d);

// The YAML spelling of `d`: "30s", "500ms", "1m30s", "0s".
std::string DurationText(const google::protobuf::Duration& d);

}  // namespace scalebench::spec

#endif  // SCALEBENCH_SPEC_DURATIONS_H_
