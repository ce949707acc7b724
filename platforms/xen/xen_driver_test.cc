// The driver against a stand-in for `xl` on the recording Env: it records
// each command line and keeps a list of domains (create adds one, destroy
// removes one or says what xl says about an unknown name). No hypervisor
// and no program runs here; docs/xen.md says what that leaves untested.
#include "platforms/xen/xen_driver.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "os/recording_env.h"
#include "platforms/xen/xl_parse_testing.h"
#include "worker/testing/test_context.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

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

// The stand-in, answering the recording Env's runs of `xl`: `xl list`
// shows `domains`, create adds the domain its config names, destroy
// removes one or says what xl says about an unknown name; the flags make
// commands fail as they do on a host without a hypervisor.
struct FakeXl {
  std::vector<std::string> domains = {"Domain-0"};
  bool info_fails = false;
  bool create_fails = false;
  bool destroy_fails = false;

  static os::ProgramOutput Output(int code, std::string out,
                                  std::string err = "") {
    os::ProgramOutput output;
    output.exit_code = code;
    output.out = std::move(out);
    output.err = std::move(err);
    return output;
  }

  os::ProgramOutput Answer(const std::vector<std::string>& argv,
                           os::RecordingEnv& env) {
    const std::string command = argv.size() > 1 ? argv[1] : "";
    if (command == "info") {
      if (info_fails) {
        return Output(1, "",
                      "xencall: error: Could not obtain handle on privileged "
                      "command interface: No such file or directory\n"
                      "libxl: error: libxl.c:102:libxl_ctx_alloc: cannot "
                      "open libxc handle: No such file or directory\n");
      }
      return Output(0, kXlInfo);
    }
    if (command == "list") {
      std::string out = kXlListHeader;
      for (size_t i = 0; i < domains.size(); ++i) {
        out += Row(domains[i], static_cast<int>(i));
      }
      return Output(0, out);
    }
    if (command == "create" && argv.size() == 3) {
      if (create_fails) {
        return Output(3, "",
                      "libxl: error: libxl_create.c:1234:domcreate_complete: "
                      "cannot (re-)build domain: -3\n");
      }
      std::optional<std::string> config = env.File(argv[2]);
      if (!config.has_value()) return Output(1, "", "cannot read config\n");
      for (absl::string_view line : absl::StrSplit(*config, '\n')) {
        if (absl::ConsumePrefix(&line, "name = \"") &&
            absl::ConsumeSuffix(&line, "\"")) {
          domains.emplace_back(line);
        }
      }
      return Output(0, "");
    }
    if (command == "destroy" && argv.size() == 3) {
      if (destroy_fails) return Output(1, "", "destroy failed (rc=-3)\n");
      auto found = std::find(domains.begin(), domains.end(), argv[2]);
      if (found == domains.end()) {
        return Output(1, "",
                      argv[2] + " is an invalid domain identifier (rc=-6)\n");
      }
      domains.erase(found);
      return Output(0, "");
    }
    return Output(64, "", "stand-in xl: unexpected command\n");
  }
};

class XenDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.OnRun("xl", [this](const std::vector<std::string>& argv) {
      return xl_.Answer(argv, env_);
    });
    // Where the built-in guest's images are: the stand-in never reads them.
    env_.AddFile(dir_ + "/images/vmlinuz", "kernel");
    env_.AddFile(dir_ + "/images/initrd.img", "initrd");
  }

  // The xl command lines run, in order, without the "xl".
  std::vector<std::string> Log() const {
    std::vector<std::string> log;
    for (const std::string& call : env_.CallsStartingWith("run xl ")) {
      log.push_back(call.substr(7));
    }
    return log;
  }

  std::string Read(const std::string& path) const {
    return env_.File(path).value_or("");
  }

  WorkerContext Context() {
    return testing::TestContext(env_, dir_ + "/state");
  }

  XenDriver Driver() {
    XenDriverOptions options;
    options.images_dir = dir_ + "/images";
    return XenDriver(Context(), options);
  }

  static TargetLaunch Launch(int index = 0) {
    TargetLaunch launch;
    launch.id = absl::StrCat(testing::kTestOwner, "-t", index);
    launch.index = index;
    launch.cpus = {1};
    launch.listen_address = absl::StrCat("10.0.0.", 10 + index);
    return launch;
  }

  std::string ConfigPath(const std::string& id) const {
    return absl::StrCat(dir_, "/state/targets/", id, "/domain.cfg");
  }

  const std::string dir_ = "/x";
  FakeXl xl_;
  os::RecordingEnv env_;
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
  xl_.info_fails = true;
  absl::Status status = Driver().CheckUsable();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("privileged command interface"));
}

TEST_F(XenDriverTest, NotUsableWithoutXl) {
  XenDriverOptions options;
  options.xl = dir_ + "/bin/no-such-xl";
  absl::Status status = XenDriver(Context(), options).CheckUsable();
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
  EXPECT_FALSE(env_.File(path).has_value());
  EXPECT_THAT(env_.calls(), IsEmpty());
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
  ASSERT_TRUE(env_.RemoveFile(dir_ + "/images/initrd.img").ok());
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
  EXPECT_FALSE(env_.HasDir(dir_ + "/state/targets"));
}

TEST_F(XenDriverTest, StartReportsWhatXlCreateSaid) {
  xl_.create_fails = true;
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
  xl_.destroy_fails = true;
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
  xl_.domains = {"Domain-0",           "scalebench-w1-t0",
                 "scalebench-w10-t0",   // Another worker, "w10".
                 "scalebench-w1-b-t0",  // Another worker, "w1-b".
                 "scalebench-w1-t3",   "scalebench-w1-tx", "debian-guest"};
  XenDriver driver = Driver();
  absl::StatusOr<std::vector<std::string>> listed = driver.List();
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(*listed, ElementsAre("scalebench-w1-t0", "scalebench-w1-t3"));

  ASSERT_TRUE(driver.Recover().ok());
  EXPECT_THAT(Log(), ElementsAre("list", "list", "destroy scalebench-w1-t0",
                                 "destroy scalebench-w1-t3"));
  EXPECT_THAT(xl_.domains,
              ElementsAre("Domain-0", "scalebench-w10-t0", "scalebench-w1-b-t0",
                          "scalebench-w1-tx", "debian-guest"));
  // Nothing left: a second recovery only lists.
  ASSERT_TRUE(driver.Recover().ok());
  EXPECT_EQ(Log().size(), 5u);
}

TEST_F(XenDriverTest, ADomainThatIsGoneIsTerminated) {
  XenDriver driver = Driver();
  ASSERT_TRUE(driver.Start(Launch()).ok());
  EXPECT_FALSE(driver.Terminated("scalebench-w1-t0")->has_value());
  xl_.domains = {"Domain-0"};  // It crashed, or someone destroyed it.
  absl::StatusOr<std::optional<Termination>> ended =
      driver.Terminated("scalebench-w1-t0");
  ASSERT_TRUE(ended.ok() && ended->has_value());
  EXPECT_EQ((*ended)->reason, Termination::Reason::kGone);
  EXPECT_EQ(driver.Terminated("Domain-0").status().code(),
            absl::StatusCode::kInvalidArgument);
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
