#include "worker/host_facts.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace scalebench::worker {
namespace {

// A fake /proc and /sys with the files ReadHostEnvironment reads.
class FakeRoot {
 public:
  FakeRoot() {
    std::string dir = ::testing::TempDir() + "/hostfacts-XXXXXX";
    root_ = mkdtemp(dir.data());
  }
  ~FakeRoot() { std::filesystem::remove_all(root_); }
  void Write(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(
        std::filesystem::path(root_ + path).parent_path());
    std::ofstream(root_ + path) << text;
  }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

TEST(ReadHostEnvironmentTest, ReadsEveryFieldFromProcAndSys) {
  FakeRoot fake;
  fake.Write("/proc/sys/kernel/hostname", "lab-3\n");
  fake.Write("/proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
  fake.Write("/proc/sys/kernel/version", "#1 SMP PREEMPT_DYNAMIC Debian\n");
  fake.Write("/proc/cpuinfo",
             "processor\t: 0\nmodel name\t: AMD EPYC 7R13 Processor\n"
             "siblings\t: 8\ncpu cores\t: 4\n"
             "flags\t\t: fpu vme sse2 hypervisor avx2\n\nprocessor\t: 1\n");
  fake.Write("/sys/devices/system/cpu/online", "0-5,7\n");
  fake.Write("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
             "performance\n");
  fake.Write("/proc/meminfo", "MemTotal:       24567890 kB\nMemFree: 1 kB\n");
  const v1::HostEnvironment env = ReadHostEnvironment(fake.root());
  EXPECT_EQ(env.hostname(), "lab-3");
  EXPECT_EQ(env.kernel(), "6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian");
  EXPECT_EQ(env.cpu_model(), "AMD EPYC 7R13 Processor");
  EXPECT_EQ(env.logical_cpus(), 7u);
  EXPECT_TRUE(env.smt());  // 8 siblings on 4 cores.
  EXPECT_EQ(env.governor(), "performance");
  EXPECT_EQ(env.memory_bytes(), 24567890ull * 1024);
  EXPECT_TRUE(env.nested());
}

TEST(ReadHostEnvironmentTest, TheKernelsSmtWordWinsAndMissingFilesAreEmpty) {
  FakeRoot fake;
  fake.Write("/sys/devices/system/cpu/smt/active", "0\n");
  fake.Write("/proc/cpuinfo", "siblings\t: 8\ncpu cores\t: 4\nflags\t: fpu\n");
  const v1::HostEnvironment env = ReadHostEnvironment(fake.root());
  EXPECT_FALSE(env.smt());
  EXPECT_FALSE(env.nested());
  EXPECT_EQ(env.governor(), "");
  EXPECT_EQ(env.memory_bytes(), 0u);
  EXPECT_EQ(env.hostname(), "");
}

TEST(ReadHostEnvironmentTest, ThisMachineHasCoresAndMemory) {
  const v1::HostEnvironment env = ReadHostEnvironment();
  EXPECT_GE(env.logical_cpus(), 1u);
  EXPECT_GT(env.memory_bytes(), 0u);
  EXPECT_FALSE(env.kernel().empty());
  EXPECT_FALSE(AllowedCpus().empty());
}

TEST(MakeHostFactsTest, ListsCapabilitiesAndTheirVersions) {
  v1::HostEnvironment env;
  env.set_hostname("h");
  const v1::HostFacts facts = MakeHostFacts(
      env, {"10.0.0.2"}, {{v1::PLATFORM_NATIVE, "nginx", "1.22.1"}},
      {{v1::BALANCER_KIND_HAPROXY, "haproxy", "2.6.12"}}, {0, 1});
  ASSERT_EQ(facts.platforms_size(), 1);
  EXPECT_EQ(facts.platforms(0), v1::PLATFORM_NATIVE);
  EXPECT_EQ(facts.balancers(0), v1::BALANCER_KIND_HAPROXY);
  EXPECT_EQ(facts.environment().versions().at("nginx"), "1.22.1");
  EXPECT_EQ(facts.environment().versions().at("haproxy"), "2.6.12");
  EXPECT_EQ(facts.cpus_size(), 2);
  EXPECT_EQ(facts.addresses(0), "10.0.0.2");
}

}  // namespace
}  // namespace scalebench::worker
