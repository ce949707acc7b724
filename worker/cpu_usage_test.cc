#include "worker/cpu_usage.h"

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

using ::testing::HasSubstr;

// Two readings one interval apart, as the kernel writes them (guest and
// guest_nice last, already counted in user and nice).
constexpr char kBefore[] =
    "cpu  400 0 200 1400 0 0 0 0 0 0\n"
    "cpu0 100 0 50 800 50 0 0 0 0 0\n"
    "cpu1 300 0 150 500 0 0 0 0 0 0\n"
    "cpu2 10 5 5 100 0 0 0 0 0 0\n"
    "intr 12345 0 0\n"
    "ctxt 999\n";
// 100 ticks later for cpu0 and cpu1, 120 for cpu2 (see BusyBetweenTest).
constexpr char kAfter[] =
    "cpu  900 0 300 1500 0 0 0 0 0 0\n"
    "cpu0 190 0 60 800 50 0 0 0 0 0\n"
    "cpu1 330 0 160 560 0 0 0 0 0 0\n"
    "cpu2 30 5 5 160 20 10 10 0 7 0\n"
    "intr 23456 0 0\n";

TEST(ParseProcStatTest, SumsTheFirstEightCountersAndCountsIowaitAsIdle) {
  absl::StatusOr<CpuTimesMap> times = ParseProcStat(kBefore);
  ASSERT_TRUE(times.ok()) << times.status();
  ASSERT_EQ(times->size(), 3u);  // the aggregate "cpu" line is not a CPU
  EXPECT_EQ(times->at(0).total, 1000u);  // 100 + 50 + 800 + 50
  EXPECT_EQ(times->at(0).idle, 850u);    // 800 idle + 50 iowait
  EXPECT_EQ(times->at(1).total, 950u);
  EXPECT_EQ(times->at(1).idle, 500u);
}

TEST(ParseProcStatTest, LeavesGuestTimeOutOfTheTotal) {
  absl::StatusOr<CpuTimesMap> times = ParseProcStat(kAfter);
  ASSERT_TRUE(times.ok()) << times.status();
  // 30 + 5 + 5 + 160 + 20 + 10 + 10 + 0; the guest 7 is already in user.
  EXPECT_EQ(times->at(2).total, 240u);
  EXPECT_EQ(times->at(2).idle, 180u);
}

TEST(ParseProcStatTest, AcceptsOldKernelsWithFourCounters) {
  absl::StatusOr<CpuTimesMap> times = ParseProcStat("cpu7 1 2 3 4\n");
  ASSERT_TRUE(times.ok()) << times.status();
  EXPECT_EQ(times->at(7).total, 10u);
  EXPECT_EQ(times->at(7).idle, 4u);
}

TEST(ParseProcStatTest, RejectsMalformedCpuLinesSayingWhere) {
  EXPECT_THAT(ParseProcStat("cpu 1 2 3 4\ncpu0 1 2 x 4\n").status().message(),
              HasSubstr("line 2"));
  EXPECT_THAT(ParseProcStat("cpu0 1 2 3\n").status().message(),
              HasSubstr("3 counters"));
  EXPECT_THAT(ParseProcStat("cpuX 1 2 3 4\n").status().message(),
              HasSubstr("not cpu followed by a CPU number"));
  EXPECT_FALSE(ParseProcStat("intr 1 2\n").ok());
  EXPECT_FALSE(ParseProcStat("").ok());
}

TEST(BusyBetweenTest, IsOneMinusIdleOverTotalTicksElapsed) {
  const CpuTimesMap before = *ParseProcStat(kBefore);
  const CpuTimesMap after = *ParseProcStat(kAfter);
  absl::StatusOr<std::vector<v1::CoreBusy>> busy =
      BusyBetween(before, after, {2, 0, 1, 0});
  ASSERT_TRUE(busy.ok()) << busy.status();
  ASSERT_EQ(busy->size(), 3u);
  // cpu0: total 1000 -> 1100, idle 850 -> 850: busy 1 - 0/100.
  EXPECT_EQ((*busy)[0].cpu(), 0u);
  EXPECT_DOUBLE_EQ((*busy)[0].busy(), 1.0);
  // cpu1: total 950 -> 1050, idle 500 -> 560: busy 1 - 60/100.
  EXPECT_EQ((*busy)[1].cpu(), 1u);
  EXPECT_DOUBLE_EQ((*busy)[1].busy(), 0.4);
  // cpu2: total 120 -> 240, idle 100 -> 180: busy 1 - 80/120.
  EXPECT_EQ((*busy)[2].cpu(), 2u);
  EXPECT_DOUBLE_EQ((*busy)[2].busy(), 1.0 / 3.0);
}

TEST(BusyBetweenTest, OnlyTheCpusAskedFor) {
  absl::StatusOr<std::vector<v1::CoreBusy>> busy =
      BusyBetween(*ParseProcStat(kBefore), *ParseProcStat(kAfter), {1});
  ASSERT_TRUE(busy.ok()) << busy.status();
  ASSERT_EQ(busy->size(), 1u);
  EXPECT_EQ((*busy)[0].cpu(), 1u);
}

TEST(BusyBetweenTest, NoElapsedTicksIsIdle) {
  const CpuTimesMap same = *ParseProcStat(kBefore);
  absl::StatusOr<std::vector<v1::CoreBusy>> busy = BusyBetween(same, same, {0});
  ASSERT_TRUE(busy.ok()) << busy.status();
  EXPECT_EQ((*busy)[0].busy(), 0.0);
}

TEST(BusyBetweenTest, AMissingCpuOrCountersGoingBackwardsFail) {
  const CpuTimesMap before = *ParseProcStat(kBefore);
  const CpuTimesMap after = *ParseProcStat(kAfter);
  EXPECT_EQ(BusyBetween(before, after, {5}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(BusyBetween(after, before, {0}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ReadCpuTimesTest, ReadsAFileAndSaysWhichOneFailed) {
  const std::string path = ::testing::TempDir() + "/cpu_usage_test_stat";
  std::ofstream(path) << kBefore;
  absl::StatusOr<CpuTimesMap> times = ReadCpuTimes(path);
  ASSERT_TRUE(times.ok()) << times.status();
  EXPECT_EQ(times->size(), 3u);

  std::ofstream(path) << "cpu0 1 2\n";
  EXPECT_THAT(ReadCpuTimes(path).status().message(), HasSubstr(path));
  EXPECT_EQ(ReadCpuTimes(path + ".missing").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ReadCpuTimesTest, ReadsThisHostsProcStat) {
  absl::StatusOr<CpuTimesMap> times = ReadCpuTimes();
  ASSERT_TRUE(times.ok()) << times.status();
  EXPECT_TRUE(times->count(0));
}

}  // namespace
}  // namespace scalebench::worker
