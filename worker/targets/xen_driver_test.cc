// The driver against a stand-in for `xl`: a shell script, put first on
// PATH, that records each command line and keeps a list of domains in a
// file (create adds one, destroy removes one or says what xl says about an
// unknown name). No hypervisor runs here; docs/xen.md says what that
// leaves untested.
#include "worker/targets/xen_driver.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "worker/targets/xl_parse_testing.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace fs = std::filesystem;

constexpr char kOwner[] = "scalebench-w1";

// What `xl info` prints on a dom0 (Xen 4.17, two CPUs, 2 GiB), abridged.
constexpr char kXlInfo[] =
    "host                   : dom0\n"
    "release                : 6.1.0-27-amd64\n"
    "machine                : x86_64\n"
    "nr_cpus                : 2\n"
    "max_cpu_id             : 1\n"
    "nr_nodes               : 1\n"
    "cores_per_socket       : 2\n"
    "threads_per_core       : 1\n"
    "cpu_mhz                : 2999.998\n"
    "virt_caps              : pv hvm hap shadow\n"
    "total_memory           : 2047\n"
    "free_memory            : 1023\n"
    "sharing_freed_memory   : 0\n"
    "free_cpus              : 0\n"
    "xen_major              : 4\n"
    "xen_minor              : 17\n"
    "xen_extra              : .3-pre\n"
    "xen_version            : 4.17.3-pre\n"
    "xen_caps               : xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_64\n"
    "xen_scheduler          : credit2\n"
    "xen_pagesize           : 4096\n"
    "xen_commandline        : placeholder smap=0 smep=0\n"
    "xend_config_format     : 4\n";

constexpr char kXlListHeader[] =
    "Name                                        ID   Mem VCPUs\tState\t"
    "Time(s)\n";

// One `xl list` row, formatted as xl formats it.
std::string Row(const std::string& name, int id) {
  char row[200];
  snprintf(row, sizeof(row), "%-40s %5d %5d %5d     %s  %8.1f\n", name.c_str(),
           id, 64, 1, "-b----", 0.5);
  return row;
}

// The stand-in. DIR/log gets one line per run ("create /path/domain.cfg");
// DIR/domains holds the rows of `xl list`; marker files make commands fail.
constexpr char kStandIn[] = R"sh(#!/bin/sh
dir='@DIR@'
printf '%s\n' "$*" >> "$dir/log"
case "$1" in
  info)
    if [ -e "$dir/info-fails" ]; then
      echo "xencall: error: Could not obtain handle on privileged command interface: No such file or directory" >&2
      echo "libxl: error: libxl.c:102:libxl_ctx_alloc: cannot open libxc handle: No such file or directory" >&2
      exit 1
    fi
    cat "$dir/info.txt" ;;
  list)
    printf 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n'
    cat "$dir/domains" ;;
  create)
    if [ -e "$dir/create-fails" ]; then
      echo "libxl: error: libxl_create.c:1234:domcreate_complete: cannot (re-)build domain: -3" >&2
      exit 3
    fi
    name=$(sed -n 's/^name = "\(.*\)"$/\1/p' "$2")
    printf '%-40s %5d %5d %5d     %s  %8.1f\n' "$name" 9 64 1 '-b----' 0.1 >> "$dir/domains" ;;
  destroy)
    if [ -e "$dir/destroy-fails" ]; then
      echo "destroy failed (rc=-3)" >&2
      exit 1
    fi
    if awk -v n="$2" '$1 == n {found = 1} END {exit !found}' "$dir/domains"; then
      awk -v n="$2" '$1 != n' "$dir/domains" > "$dir/domains.new"
      mv "$dir/domains.new" "$dir/domains"
    else
      echo "$2 is an invalid domain identifier (rc=-6)" >&2
      exit 1
    fi ;;
  *)
    echo "stand-in xl: unexpected command: $*" >&2
    exit 64 ;;
esac
)sh";

class XenDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/xen_driver_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ + "/bin");
    std::string script = kStandIn;
    script.replace(script.find("@DIR@"), 5, dir_);
    Write(dir_ + "/bin/xl", script);
    fs::permissions(dir_ + "/bin/xl", fs::perms::owner_all);
    Write(dir_ + "/info.txt", kXlInfo);
    Write(dir_ + "/domains", Row("Domain-0", 0));
    Write(dir_ + "/log", "");
    // Where the built-in guest's images are: the stand-in never reads them.
    fs::create_directories(dir_ + "/images");
    Write(dir_ + "/images/vmlinuz", "kernel");
    Write(dir_ + "/images/initrd.img", "initrd");

    const char* path = getenv("PATH");
    saved_path_ = path != nullptr ? path : "";
    setenv("PATH", absl::StrCat(dir_, "/bin:", saved_path_).c_str(), 1);
  }

  void TearDown() override {
    setenv("PATH", saved_path_.c_str(), 1);
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }

  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // The command lines the stand-in ran, in order.
  std::vector<std::string> Log() const {
    return absl::StrSplit(Read(dir_ + "/log"), '\n', absl::SkipEmpty());
  }

  XenDriver Driver() const {
    WorkerContext context;
    context.name = "w1";
    context.owner = kOwner;
    context.state_dir = dir_ + "/state";
    XenDriverOptions options;
    options.images_dir = dir_ + "/images";
    return XenDriver(context, options);
  }

  static TargetLaunch Launch(int index = 0) {
    TargetLaunch launch;
    launch.id = absl::StrCat(kOwner, "-t", index);
    launch.index = index;
    launch.cpus = {1};
    launch.listen_address = absl::StrCat("10.0.0.", 10 + index);
    return launch;
  }

  std::string ConfigPath(const std::string& id) const {
    return absl::StrCat(dir_, "/state/targets/", id, "/domain.cfg");
  }

  std::string dir_;
  std::string saved_path_;
};

TEST_F(XenDriverTest, CheckUsableAndHostInfoReadXlInfo) {
  XenDriver driver = Driver();
  EXPECT_TRUE(driver.CheckUsable().ok());
  absl::StatusOr<XenHostInfo> info = driver.HostInfo();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->xen_version, "4.17.3-pre");
  EXPECT_EQ(info->nr_cpus, 2);
  EXPECT_EQ(info->free_memory_mb, 1023u);
  EXPECT_EQ(info->total_memory_mb, 2047u);
  EXPECT_THAT(Log(), ElementsAre("info", "info"));
}

TEST_F(XenDriverTest, NotUsableWithoutAHypervisor) {
  Write(dir_ + "/info-fails", "");
  absl::Status status = Driver().CheckUsable();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("privileged command interface"));
}

TEST_F(XenDriverTest, NotUsableWithoutXl) {
  WorkerContext context;
  context.owner = kOwner;
  context.state_dir = dir_ + "/state";
  XenDriverOptions options;
  options.xl = dir_ + "/bin/no-such-xl";
  absl::Status status = XenDriver(context, options).CheckUsable();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("no-such-xl"));
}

TEST_F(XenDriverTest, PlanSpellsOutConfigAndCreateButRunsNothing) {
  absl::StatusOr<LaunchPlan> plan = Driver().Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  const std::string path = ConfigPath("scalebench-w1-t0");
  ASSERT_EQ(plan->files.size(), 1u);
  EXPECT_EQ(plan->files[0].path, path);
  absl::StatusOr<testing::ParsedXlConfig> parsed =
      testing::ParseWithLibxlutil(plan->files[0].contents);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->strings["name"], "scalebench-w1-t0");
  EXPECT_EQ(parsed->strings["kernel"], dir_ + "/images/vmlinuz");
  EXPECT_THAT(plan->commands, ElementsAre(ElementsAre("xl", "create", path)));
  EXPECT_THAT(plan->summary, HasSubstr("pvh domain scalebench-w1-t0"));
  EXPECT_THAT(Log(), IsEmpty());
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(XenDriverTest, StartWritesThePlannedConfigAndCreatesTheDomain) {
  XenDriver driver = Driver();
  absl::StatusOr<LaunchPlan> plan = driver.Plan(Launch());
  ASSERT_TRUE(plan.ok()) << plan.status();
  absl::StatusOr<Target> target = driver.Start(Launch());
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->id, "scalebench-w1-t0");
  EXPECT_EQ(target->endpoint, "10.0.0.10:80");
  const std::string path = ConfigPath("scalebench-w1-t0");
  EXPECT_EQ(Read(path), plan->files[0].contents);
  EXPECT_THAT(Log(), ElementsAre("create " + path));
  absl::StatusOr<std::vector<std::string>> listed = driver.List();
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(*listed, ElementsAre("scalebench-w1-t0"));
}

TEST_F(XenDriverTest, StartNeedsTheBootFiles) {
  fs::remove(dir_ + "/images/initrd.img");
  absl::StatusOr<Target> target = Driver().Start(Launch());
  EXPECT_EQ(target.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(target.status().message(), HasSubstr("initrd.img"));
  EXPECT_THAT(Log(), IsEmpty());
}

TEST_F(XenDriverTest, StartRefusesIdsNotOfThisWorkerAndHostileValues) {
  XenDriver driver = Driver();
  TargetLaunch foreign = Launch();
  foreign.id = "scalebench-w2-t0";
  TargetLaunch hostile = Launch();
  hostile.listen_address = "10.0.0.2 init=/bin/sh";
  for (const TargetLaunch& launch : {foreign, hostile}) {
    absl::StatusOr<Target> target = driver.Start(launch);
    EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_THAT(Log(), IsEmpty());
  EXPECT_FALSE(fs::exists(dir_ + "/state/targets"));
}

TEST_F(XenDriverTest, StartReportsWhatXlCreateSaid) {
  Write(dir_ + "/create-fails", "");
  absl::StatusOr<Target> target = Driver().Start(Launch());
  EXPECT_EQ(target.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(target.status().message(), HasSubstr("cannot (re-)build domain"));
  EXPECT_THAT(target.status().message(), HasSubstr("status 3"));
}

TEST_F(XenDriverTest, StopDestroysTheDomainAndIsIdempotent) {
  XenDriver driver = Driver();
  ASSERT_TRUE(driver.Start(Launch()).ok());
  EXPECT_TRUE(driver.Stop("scalebench-w1-t0").ok());
  // xl now says the name is an invalid domain identifier, exit status 1.
  EXPECT_TRUE(driver.Stop("scalebench-w1-t0").ok());
  EXPECT_THAT(Log(), ElementsAre("create " + ConfigPath("scalebench-w1-t0"),
                                 "destroy scalebench-w1-t0",
                                 "destroy scalebench-w1-t0"));
  EXPECT_THAT(*driver.List(), IsEmpty());
}

TEST_F(XenDriverTest, StopReportsOtherFailures) {
  Write(dir_ + "/destroy-fails", "");
  absl::Status status = Driver().Stop("scalebench-w1-t0");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("destroy failed (rc=-3)"));
}

TEST_F(XenDriverTest, StopRefusesOtherWorkersDomains) {
  XenDriver driver = Driver();
  for (const char* id : {"Domain-0", "scalebench-w2-t0", "scalebench-w1-b-t0",
                         "scalebench-w1-t0;reboot"}) {
    EXPECT_EQ(driver.Stop(id).code(), absl::StatusCode::kInvalidArgument) << id;
  }
  EXPECT_THAT(Log(), IsEmpty());
}

TEST_F(XenDriverTest, ListAndRecoverTouchOnlyThisWorkersDomains) {
  Write(dir_ + "/domains",
        Row("Domain-0", 0) + Row("scalebench-w1-t0", 3) +
            Row("scalebench-w10-t0", 4) +   // Another worker, "w10".
            Row("scalebench-w1-b-t0", 5) +  // Another worker, "w1-b".
            Row("scalebench-w1-t3", 6) + Row("scalebench-w1-tx", 7) +
            Row("debian-guest", 8));
  XenDriver driver = Driver();
  absl::StatusOr<std::vector<std::string>> listed = driver.List();
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(*listed, ElementsAre("scalebench-w1-t0", "scalebench-w1-t3"));

  ASSERT_TRUE(driver.Recover().ok());
  EXPECT_THAT(Log(), ElementsAre("list", "list", "destroy scalebench-w1-t0",
                                 "destroy scalebench-w1-t3"));
  EXPECT_THAT(ParseXlList(Read(dir_ + "/domains")),
              ElementsAre("Domain-0", "scalebench-w10-t0", "scalebench-w1-b-t0",
                          "scalebench-w1-tx", "debian-guest"));
  // Nothing left: a second recovery only lists.
  ASSERT_TRUE(driver.Recover().ok());
  EXPECT_EQ(Log().size(), 5u);
}

TEST_F(XenDriverTest, RunsUnikernelImagesOnXen) {
  XenDriver driver = Driver();
  EXPECT_EQ(driver.platform(), v1::PLATFORM_XEN);
  TargetLaunch launch = Launch();
  launch.variant = "xen";
  launch.image = dir_ + "/images/vmlinuz";  // Stands in for a unikernel.
  absl::StatusOr<Target> target = driver.Start(launch);
  ASSERT_TRUE(target.ok()) << target.status();
  absl::StatusOr<testing::ParsedXlConfig> parsed =
      testing::ParseWithLibxlutil(Read(ConfigPath(launch.id)));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->strings["type"], "pvh");
  EXPECT_EQ(parsed->strings["kernel"], launch.image);
  EXPECT_EQ(parsed->strings.count("ramdisk"), 0u);
}

TEST(ParseXlListTest, NamesOfEveryRow) {
  const std::string text = absl::StrCat(kXlListHeader, Row("Domain-0", 0),
                                        Row("scalebench-w1-t0", 12));
  EXPECT_THAT(ParseXlList(text), ElementsAre("Domain-0", "scalebench-w1-t0"));
  EXPECT_THAT(ParseXlList(kXlListHeader), IsEmpty());
  EXPECT_THAT(ParseXlList(""), IsEmpty());
}

TEST(ParseXlInfoTest, RefusesOutputWithoutTheFacts) {
  EXPECT_EQ(ParseXlInfo("host : dom0\n").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      ParseXlInfo("xen_version : 4.17.0\nnr_cpus : x\n").status().message(),
      HasSubstr("nr_cpus"));
}

}  // namespace
}  // namespace scalebench::worker
