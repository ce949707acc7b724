#include "common/proto_time.h"

#include "gtest/gtest.h"

namespace scalebench {
namespace {

TEST(ProtoTimeTest, DurationsKeepEveryNanosecondAndOneSign) {
  const absl::Duration d = absl::Seconds(3) + absl::Nanoseconds(250);
  const google::protobuf::Duration p = DurationToProto(d);
  EXPECT_EQ(p.seconds(), 3);
  EXPECT_EQ(p.nanos(), 250);
  EXPECT_EQ(DurationFromProto(p), d);
  const google::protobuf::Duration negative =
      DurationToProto(-absl::Milliseconds(1500));
  EXPECT_EQ(negative.seconds(), -1);
  EXPECT_EQ(negative.nanos(), -500'000'000);
  EXPECT_EQ(DurationFromProto(negative), -absl::Milliseconds(1500));
}

TEST(ProtoTimeTest, TimestampsHaveNonNegativeNanosBeforeTheEpoch) {
  const absl::Time t = absl::FromUnixNanos(1'795'953'600'123'456'789);
  const google::protobuf::Timestamp p = TimeToProto(t);
  EXPECT_EQ(p.seconds(), 1'795'953'600);
  EXPECT_EQ(p.nanos(), 123'456'789);
  EXPECT_EQ(TimeFromProto(p), t);
  const absl::Time before = absl::UnixEpoch() - absl::Milliseconds(250);
  const google::protobuf::Timestamp q = TimeToProto(before);
  EXPECT_EQ(q.seconds(), -1);
  EXPECT_EQ(q.nanos(), 750'000'000);
  EXPECT_EQ(TimeFromProto(q), before);
}

}  // namespace
}  // namespace scalebench
