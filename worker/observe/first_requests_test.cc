#include "worker/observe/first_requests.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "worker/observe/testing/observed_starts.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr Ipv4Address kA1 = 0x0a000001;  // 10.0.0.1
constexpr Ipv4Address kA2 = 0x0a000101;  // 10.0.1.1
constexpr Ipv4Address kB = 0x0a000002;   // 10.0.0.2

TEST(Ipv4Test, ParsesAndFormatsDottedQuadsOnly) {
  EXPECT_EQ(ParseIpv4("10.0.1.1"), kA2);
  EXPECT_EQ(FormatIpv4(kA2), "10.0.1.1");
  EXPECT_EQ(ParseIpv4("::1"), std::nullopt);
  EXPECT_EQ(ParseIpv4("lg.example"), std::nullopt);
  EXPECT_EQ(ParseIpv4("10.0.1"), std::nullopt);
  EXPECT_EQ(ParseIpv4(""), std::nullopt);
}

TEST(FirstRequestsTest, KeepsTheEarliestSegmentOfEachSourceInSourcesOrder) {
  absl::StatusOr<FirstRequests> first =
      FirstRequests::Create({TestLoadSource("b", {"10.0.0.2"}),
                             TestLoadSource("a", {"10.0.0.1", "10.0.1.1"})});
  ASSERT_TRUE(first.ok()) << first.status();
  first->Record(SegmentAt(kA1, 500));
  first->Record(SegmentAt(kB, 700));
  // Another address of "a", earlier (segments may be read out of order).
  first->Record(SegmentAt(kA2, 300));
  first->Record(SegmentAt(kB, 900));

  EXPECT_THAT(ObservedLines(first->Observed()),
              ElementsAre("b 10.0.0.2 +700", "a 10.0.1.1 +300"));
}

TEST(FirstRequestsTest, IgnoresSegmentsFromOtherAddresses) {
  absl::StatusOr<FirstRequests> first =
      FirstRequests::Create({TestLoadSource("a", {"10.0.0.1"})});
  ASSERT_TRUE(first.ok()) << first.status();
  first->Record(SegmentAt(kB, 0));

  EXPECT_FALSE(first->done());
  EXPECT_THAT(first->Observed(), IsEmpty());
}

TEST(FirstRequestsTest, IsDoneOnceEverySourceHasASegment) {
  absl::StatusOr<FirstRequests> first =
      FirstRequests::Create({TestLoadSource("a", {"10.0.0.1", "10.0.1.1"}),
                             TestLoadSource("b", {"10.0.0.2"})});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->unseen(), 2);
  EXPECT_THAT(first->Awaited(), ElementsAre(kA1, kB, kA2));

  first->Record(SegmentAt(kA1, 0));
  first->Record(SegmentAt(kA2, 0));  // Still "a": "b" is awaited.
  EXPECT_EQ(first->unseen(), 1);
  EXPECT_FALSE(first->done());
  EXPECT_THAT(first->Awaited(), ElementsAre(kB));

  first->Record(SegmentAt(kB, 0));
  EXPECT_TRUE(first->done());
  EXPECT_THAT(first->Awaited(), IsEmpty());
}

TEST(FirstRequestsTest, DoesNotWaitForASourceWithoutAnIpv4Address) {
  absl::StatusOr<FirstRequests> first =
      FirstRequests::Create({TestLoadSource("a", {"10.0.0.1"}),
                             TestLoadSource("v6", {"fd00::2", "lg.example"})});
  ASSERT_TRUE(first.ok()) << first.status();
  first->Record(SegmentAt(kA1, 0));

  EXPECT_TRUE(first->done());
  EXPECT_THAT(ObservedLines(first->Observed()), ElementsAre("a 10.0.0.1 +0"));
}

TEST(FirstRequestsTest, NoSourcesIsDoneAtOnce) {
  absl::StatusOr<FirstRequests> first = FirstRequests::Create({});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->done());
}

TEST(FirstRequestsTest, FollowsAtMostSixtyFourSources) {
  std::vector<v1::LoadSource> sources;
  for (int i = 0; i < FirstRequests::kMaxSources; ++i) {
    sources.push_back(TestLoadSource("lg" + std::to_string(i),
                                     {"10.1.0." + std::to_string(i + 1)}));
  }
  EXPECT_TRUE(FirstRequests::Create(sources).ok());

  sources.push_back(TestLoadSource("lg64", {"10.1.1.1"}));
  absl::StatusOr<FirstRequests> too_many = FirstRequests::Create(sources);
  EXPECT_EQ(too_many.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_many.status().message(), HasSubstr("load_sources"));
  EXPECT_THAT(too_many.status().message(), HasSubstr("65"));
}

TEST(FirstRequestsTest, RejectsAnAddressTwoSourcesShare) {
  absl::StatusOr<FirstRequests> first =
      FirstRequests::Create({TestLoadSource("a", {"10.0.0.1"}),
                             TestLoadSource("b", {"10.0.0.2", "10.0.0.1"})});
  EXPECT_EQ(first.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(first.status().message(),
              HasSubstr("load_sources[1].addresses[1]: 10.0.0.1 is also an "
                        "address of load_sources[0] (a)"));
}

TEST(FirstRequestsTest, AcceptsAnAddressRepeatedWithinOneSource) {
  absl::StatusOr<FirstRequests> first =
      FirstRequests::Create({TestLoadSource("a", {"10.0.0.1", "10.0.0.1"})});
  ASSERT_TRUE(first.ok()) << first.status();
  first->Record(SegmentAt(kA1, 0));
  EXPECT_TRUE(first->done());
}

}  // namespace
}  // namespace scalebench::worker
