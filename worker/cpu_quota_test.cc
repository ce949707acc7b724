#include "worker/cpu_quota.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "common/text_file.h"
#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

// A fake /sys/fs/cgroup under the test's temporary directory.
class FakeCgroupRoot {
 public:
  explicit FakeCgroupRoot(const std::string& name)
      : root_(::testing::TempDir() + "/" + name) {
    const std::string command = "rm -rf '" + root_ + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
    MakeDirs("");
  }

  const std::string& root() const { return root_; }

  // Writes `text` to ROOT/RELATIVE, making its directories.
  void Write(const std::string& relative, const std::string& text) {
    MakeDirs(relative.substr(0, relative.rfind('/')));
    std::ofstream(root_ + "/" + relative) << text;
  }

  void MakeDirs(const std::string& relative) {
    std::string path = root_;
    ::mkdir(path.c_str(), 0755);
    size_t start = 0;
    while (start < relative.size()) {
      size_t slash = relative.find('/', start);
      if (slash == std::string::npos) slash = relative.size();
      path += "/" + relative.substr(start, slash - start);
      ::mkdir(path.c_str(), 0755);
      start = slash + 1;
    }
  }

 private:
  std::string root_;
};

// A cgroup v1 cpu,cpuacct hierarchy with no quota at the root or at
// /sbtb, one of `quota_us` per 100 ms at /sbtb/h1, none at /sbtb/h1/w.
void WriteV1Tree(FakeCgroupRoot& fake, const std::string& quota_us) {
  const std::string cpu = "cpu,cpuacct";
  for (const std::string& dir :
       {cpu, cpu + "/sbtb", cpu + "/sbtb/h1", cpu + "/sbtb/h1/w"}) {
    fake.Write(dir + "/cpu.cfs_period_us", "100000\n");
    fake.Write(dir + "/cpu.cfs_quota_us", "-1\n");
  }
  fake.Write(cpu + "/sbtb/h1/cpu.cfs_quota_us", quota_us + "\n");
}

constexpr char kV1ProcSelfCgroup[] =
    "12:cpuset:/sbtb/h1/w\n"
    "4:cpu,cpuacct:/sbtb/h1/w\n"
    "1:name=systemd:/user.slice\n"
    "0::/user.slice\n";

TEST(FindCpuQuotaTest, V1FindsTheNearestAncestorWithAQuota) {
  FakeCgroupRoot fake("cpu_quota_v1");
  WriteV1Tree(fake, "66666");
  absl::StatusOr<std::optional<CpuQuota>> quota =
      FindCpuQuota(kV1ProcSelfCgroup, fake.root());
  ASSERT_TRUE(quota.ok()) << quota.status();
  ASSERT_TRUE(quota->has_value());
  EXPECT_EQ((*quota)->cgroup, "/sbtb/h1");
  EXPECT_EQ((*quota)->dir, fake.root() + "/cpu,cpuacct/sbtb/h1");
  EXPECT_DOUBLE_EQ((*quota)->cpus, 0.66666);
}

TEST(FindCpuQuotaTest, V1WithoutAnyQuotaIsNullopt) {
  FakeCgroupRoot fake("cpu_quota_v1_none");
  WriteV1Tree(fake, "-1");
  absl::StatusOr<std::optional<CpuQuota>> quota =
      FindCpuQuota(kV1ProcSelfCgroup, fake.root());
  ASSERT_TRUE(quota.ok()) << quota.status();
  EXPECT_FALSE(quota->has_value());
}

TEST(FindCpuQuotaTest, V2ReadsCpuMaxUpToTheRoot) {
  FakeCgroupRoot fake("cpu_quota_v2");
  fake.Write("cgroup.controllers", "cpuset cpu io memory pids\n");
  fake.Write("sbtb/cpu.max", "max 100000\n");
  fake.Write("sbtb/h2/cpu.max", "150000 100000\n");
  fake.Write("sbtb/h2/w/cpu.max", "max 100000\n");
  absl::StatusOr<std::optional<CpuQuota>> quota =
      FindCpuQuota("0::/sbtb/h2/w\n", fake.root());
  ASSERT_TRUE(quota.ok()) << quota.status();
  ASSERT_TRUE(quota->has_value());
  EXPECT_EQ((*quota)->cgroup, "/sbtb/h2");
  EXPECT_EQ((*quota)->dir, fake.root() + "/sbtb/h2");
  EXPECT_DOUBLE_EQ((*quota)->cpus, 1.5);

  fake.Write("sbtb/h2/cpu.max", "max 100000\n");
  quota = FindCpuQuota("0::/sbtb/h2/w\n", fake.root());
  ASSERT_TRUE(quota.ok()) << quota.status();
  EXPECT_FALSE(quota->has_value());
}

TEST(FindCpuQuotaTest, NoCpuHierarchyMountedIsNotFound) {
  FakeCgroupRoot fake("cpu_quota_unmounted");
  absl::StatusOr<std::optional<CpuQuota>> quota =
      FindCpuQuota(kV1ProcSelfCgroup, fake.root());
  EXPECT_EQ(quota.status().code(), absl::StatusCode::kNotFound);
}

TEST(FindCpuQuotaTest, MalformedLineNamesIt) {
  FakeCgroupRoot fake("cpu_quota_malformed");
  absl::StatusOr<std::optional<CpuQuota>> quota =
      FindCpuQuota("0::/\ngarbage\n", fake.root());
  EXPECT_EQ(quota.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(quota.status().message().find("line 2"), std::string::npos)
      << quota.status();
}

TEST(ParseQuotaTest, Forms) {
  EXPECT_EQ(*ParseQuota("max 100000\n"), std::nullopt);
  EXPECT_EQ(*ParseQuota("-1 100000"), std::nullopt);
  EXPECT_DOUBLE_EQ(**ParseQuota("50000 100000\n"), 0.5);
  EXPECT_FALSE(ParseQuota("50000").ok());
  EXPECT_FALSE(ParseQuota("50000 0").ok());
  EXPECT_FALSE(ParseQuota("half 100000").ok());
}

TEST(ParseCpuStatTest, V1CountsThrottledTimeInNanoseconds) {
  absl::StatusOr<ThrottleCounters> c = ParseCpuStat(
      "nr_periods 120\nnr_throttled 90\nthrottled_time 2500000000\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->periods, 120u);
  EXPECT_EQ(c->throttled_periods, 90u);
  EXPECT_EQ(c->throttled, absl::Milliseconds(2500));
}

TEST(ParseCpuStatTest, V2CountsThrottledTimeInMicroseconds) {
  absl::StatusOr<ThrottleCounters> c = ParseCpuStat(
      "usage_usec 9000\nuser_usec 6000\nsystem_usec 3000\nnr_periods 7\n"
      "nr_throttled 3\nthrottled_usec 1500\nnr_bursts 0\nburst_usec 0\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->periods, 7u);
  EXPECT_EQ(c->throttled_periods, 3u);
  EXPECT_EQ(c->throttled, absl::Microseconds(1500));
}

TEST(ParseCpuStatTest, WithoutTheCpuControllersCountersIsAnError) {
  // A v2 cgroup without the cpu controller has only usage counters.
  EXPECT_FALSE(
      ParseCpuStat("usage_usec 9000\nuser_usec 6000\nsystem_usec 3000\n").ok());
  absl::StatusOr<ThrottleCounters> bad =
      ParseCpuStat("nr_periods 1\nnr_throttled x\nthrottled_time 0\n");
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos)
      << bad.status();
}

TEST(QuotaUsageBetweenTest, DifferencesOfTheCounters) {
  const CpuQuota quota{"/sbtb/h1", "/unused", 0.5};
  const ThrottleCounters before{100, 40, absl::Seconds(2)};
  const ThrottleCounters after{130, 67, absl::Milliseconds(3250)};
  absl::StatusOr<v1::CpuQuotaUsage> usage =
      QuotaUsageBetween(quota, before, after);
  ASSERT_TRUE(usage.ok()) << usage.status();
  EXPECT_EQ(usage->cgroup(), "/sbtb/h1");
  EXPECT_DOUBLE_EQ(usage->cpus(), 0.5);
  EXPECT_EQ(usage->periods(), 30u);
  EXPECT_EQ(usage->throttled_periods(), 27u);
  EXPECT_EQ(usage->throttled().seconds(), 1);
  EXPECT_EQ(usage->throttled().nanos(), 250000000);

  EXPECT_EQ(QuotaUsageBetween(quota, after, before).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(CpuQuotaTest, ReadsTheCountersOfARealCgroupWhenThisProcessHasOne) {
  // Up to the boundary of this machine: whether a quota caps the test is
  // the machine's business; when one does, its counters must read.
  absl::StatusOr<std::string> self = ReadTextFile(kProcSelfCgroupPath);
  ASSERT_TRUE(self.ok()) << self.status();
  absl::StatusOr<std::optional<CpuQuota>> quota =
      FindCpuQuota(*self, kCgroupRoot);
  if (!quota.ok() || !quota->has_value()) {
    GTEST_SKIP() << "no CPU quota caps this process: "
                 << (quota.ok() ? "none set" : quota.status().ToString());
  }
  absl::StatusOr<ThrottleCounters> counters = ReadThrottleCounters(**quota);
  EXPECT_TRUE(counters.ok()) << counters.status();
}

}  // namespace
}  // namespace scalebench::worker
