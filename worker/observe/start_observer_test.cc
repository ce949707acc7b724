#include "worker/observe/start_observer.h"

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/fake_clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "worker/observe/testing/fake_capture.h"
#include "worker/observe/testing/observed_starts.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr Ipv4Address kA = 0x0a000001;         // 10.0.0.1
constexpr Ipv4Address kB = 0x0a000002;         // 10.0.0.2
constexpr Ipv4Address kBalancer = 0x0a000009;  // 10.0.0.9

class StartObserverTest : public ::testing::Test {
 protected:
  ObserveRequest TwoSources(absl::Duration max_wait = absl::Seconds(1)) {
    return {"10.0.0.9",
            8080,
            {TestLoadSource("a", {"10.0.0.1"}),
             TestLoadSource("b", {"10.0.0.2", "fd00::2"})},
            max_wait};
  }

  FakeClock clock_;
  FakeCapture capture_;
  std::unique_ptr<StartObserver> observer_ =
      MakeStartObserver(&clock_, capture_.Factory());
};

TEST_F(StartObserverTest, EndBeforeBeginReturnsNothing) {
  EXPECT_THAT(observer_->End(), IsEmpty());
  EXPECT_EQ(capture_.opened(), 0);
}

TEST_F(StartObserverTest, CapturesTheBalancersPortFromTheSourcesIpv4Addresses) {
  ASSERT_TRUE(observer_->Begin(TwoSources()).ok());
  observer_->End();

  ASSERT_EQ(capture_.filters().size(), 1u);
  const CaptureFilter filter = capture_.filters()[0];
  EXPECT_EQ(filter.port, 8080);
  EXPECT_EQ(filter.destination, kBalancer);
  EXPECT_THAT(filter.sources, ElementsAre(kA, kB));
}

TEST_F(StartObserverTest, AnyListenAddressCapturesEveryDestination) {
  ObserveRequest request = TwoSources();
  request.listen_address = "0.0.0.0";
  ASSERT_TRUE(observer_->Begin(request).ok());
  observer_->End();
  EXPECT_EQ(capture_.filters()[0].destination, std::nullopt);
}

TEST_F(StartObserverTest, StopsByItselfOnceEverySourceIsSeen) {
  ASSERT_TRUE(observer_->Begin(TwoSources()).ok());
  capture_.Deliver({SegmentAt(kB, 40), SegmentAt(kB, 90)});
  // Seen: the capture narrows to the source still awaited.
  capture_.AwaitWaits(2);
  EXPECT_THAT(capture_.filters().back().sources, ElementsAre(kA));
  capture_.Deliver({SegmentAt(kA, 120)});

  capture_.AwaitClosed();
  EXPECT_EQ(capture_.interrupts(), 0);
  // In the order of the sources, each its earliest.
  EXPECT_THAT(ObservedLines(observer_->End()),
              ElementsAre("a 10.0.0.1 +120", "b 10.0.0.2 +40"));
}

TEST_F(StartObserverTest, StopsMaxWaitAfterBeginWithTheSourcesSeenSoFar) {
  ASSERT_TRUE(observer_->Begin(TwoSources(absl::Seconds(1))).ok());
  capture_.Deliver({SegmentAt(kA, 10)});
  capture_.AwaitWaits(2);
  clock_.Advance(absl::Milliseconds(950));
  capture_.TimeOut();
  // The wait is bounded by the time left.
  capture_.AwaitWaits(3);
  EXPECT_EQ(capture_.timeouts()[2], absl::Milliseconds(50));
  clock_.Advance(absl::Milliseconds(50));
  capture_.TimeOut();

  capture_.AwaitClosed();
  EXPECT_EQ(capture_.timeouts().size(), 3u);
  for (absl::Duration timeout : capture_.timeouts()) {
    EXPECT_GT(timeout, absl::ZeroDuration());
    EXPECT_LE(timeout, absl::Seconds(1));
  }
  EXPECT_THAT(ObservedLines(observer_->End()), ElementsAre("a 10.0.0.1 +10"));
}

TEST_F(StartObserverTest, EndStopsTheCaptureAndReadsWhatTheKernelHolds) {
  ASSERT_TRUE(observer_->Begin(TwoSources()).ok());
  capture_.AwaitWaits(1);
  // Received, not yet read: End's wake-up is noticed first.
  capture_.Stage({SegmentAt(kB, 70)});

  EXPECT_THAT(ObservedLines(observer_->End()), ElementsAre("b 10.0.0.2 +70"));
  EXPECT_TRUE(capture_.closed());
  EXPECT_EQ(capture_.interrupts(), 1);
  EXPECT_EQ(capture_.timeouts().back(), absl::ZeroDuration());
}

TEST_F(StartObserverTest, EndTwiceReturnsTheSameAndBeginOnceOnly) {
  ASSERT_TRUE(observer_->Begin(TwoSources()).ok());
  EXPECT_EQ(observer_->Begin(TwoSources()).code(),
            absl::StatusCode::kFailedPrecondition);
  capture_.Deliver({SegmentAt(kA, 5)});
  capture_.AwaitWaits(2);

  EXPECT_THAT(ObservedLines(observer_->End()), ElementsAre("a 10.0.0.1 +5"));
  EXPECT_THAT(ObservedLines(observer_->End()), ElementsAre("a 10.0.0.1 +5"));
  EXPECT_EQ(observer_->Begin(TwoSources()).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(capture_.opened(), 1);
}

TEST_F(StartObserverTest, ACaptureThatFailsKeepsWhatItSawAndSaysWhy) {
  ASSERT_TRUE(observer_->Begin(TwoSources()).ok());
  capture_.Deliver({SegmentAt(kA, 5)});
  capture_.AwaitWaits(2);
  capture_.Fail(absl::InternalError("cannot capture on any: device gone"));

  capture_.AwaitClosed();
  EXPECT_THAT(ObservedLines(observer_->End()), ElementsAre("a 10.0.0.1 +5"));
  EXPECT_EQ(observer_->capture_status().code(), absl::StatusCode::kInternal);
}

TEST_F(StartObserverTest, AnOpenFailureIsBeginsError) {
  capture_.FailOpen(absl::FailedPreconditionError(
      "cannot capture on any: Operation not permitted (needs CAP_NET_RAW)"));
  const absl::Status begun = observer_->Begin(TwoSources());
  EXPECT_EQ(begun.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(begun.message(), HasSubstr("CAP_NET_RAW"));
  EXPECT_THAT(observer_->End(), IsEmpty());
}

TEST_F(StartObserverTest, CapturesNothingWhenNoSourceHasAnIpv4Address) {
  ASSERT_TRUE(
      observer_
          ->Begin(
              {"", 8080, {TestLoadSource("v6", {"fd00::2"})}, absl::Seconds(1)})
          .ok());
  EXPECT_EQ(capture_.opened(), 0);
  EXPECT_THAT(observer_->End(), IsEmpty());
}

TEST_F(StartObserverTest, DestroyingItStopsTheCapture) {
  ASSERT_TRUE(observer_->Begin(TwoSources()).ok());
  capture_.AwaitWaits(1);
  observer_.reset();
  EXPECT_TRUE(capture_.closed());
}

struct BadRequest {
  std::string name;
  ObserveRequest request;
  std::string field;
};

// Names the case in test listings (ctest's names), not its bytes.
void PrintTo(const BadRequest& bad, std::ostream* out) { *out << bad.name; }

class StartObserverRequestTest : public ::testing::TestWithParam<BadRequest> {};

TEST_P(StartObserverRequestTest, RejectsTheRequestNamingTheField) {
  FakeClock clock;
  FakeCapture capture;
  std::unique_ptr<StartObserver> observer =
      MakeStartObserver(&clock, capture.Factory());
  const absl::Status begun = observer->Begin(GetParam().request);
  EXPECT_EQ(begun.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(begun.message(), HasSubstr(GetParam().field));
  EXPECT_EQ(capture.opened(), 0);
  EXPECT_THAT(observer->End(), IsEmpty());
}

std::vector<v1::LoadSource> ManySources(int count) {
  std::vector<v1::LoadSource> sources;
  for (int i = 0; i < count; ++i) {
    sources.push_back(TestLoadSource("lg" + std::to_string(i),
                                     {"10.1." + std::to_string(i / 200) + "." +
                                      std::to_string(i % 200 + 1)}));
  }
  return sources;
}

INSTANTIATE_TEST_SUITE_P(
    Requests, StartObserverRequestTest,
    ::testing::Values(
        BadRequest{"NoPort", {"", 0, ManySources(1), absl::Seconds(1)}, "port"},
        BadRequest{"NoWait",
                   {"", 8080, ManySources(1), absl::ZeroDuration()},
                   "max_wait"},
        BadRequest{"WaitOverAMinute",
                   {"", 8080, ManySources(1), absl::Seconds(61)},
                   "max_wait"},
        BadRequest{"ListenAddressNotIpv4",
                   {"balancer.example", 8080, ManySources(1), absl::Seconds(1)},
                   "listen_address"},
        BadRequest{"SixtyFiveSources",
                   {"", 8080, ManySources(65), absl::Seconds(1)},
                   "load_sources"}),
    [](const ::testing::TestParamInfo<BadRequest>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace scalebench::worker
