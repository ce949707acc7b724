// Conversions between protobuf's well-known time types and Abseil's, in one
// place: durations and instants cross the API in google.protobuf.Duration
// and Timestamp and are computed with absl::Duration and absl::Time.
// Exact to the nanosecond. Stateless; thread-safe.
#ifndef SCALEBENCH_COMMON_PROTO_TIME_H_
#define SCALEBENCH_COMMON_PROTO_TIME_H_

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/time/time.h"

namespace scalebench {

google::protobuf::Duration DurationToProto(absl::Duration d);
absl::Duration DurationFromProto(const google::protobuf::Duration& d);

google::protobuf::Timestamp TimeToProto(absl::Time t);
absl::Time TimeFromProto(const google::protobuf::Timestamp& t);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_PROTO_TIME_H_
