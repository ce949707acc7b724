// Every config is read back with Xen's own parser (libxlutil), so these
// tests check what `xl create` would see.
#include "platforms/xen/xl_config.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platforms/xen/xl_parse_testing.h"
#include "worker/testing/test_context.h"

namespace scalebench::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ParsedXlConfig;
using testing::ParseWithLibxlutil;

constexpr char kImages[] = "/var/lib/scalebench/images/xen";

TargetLaunch Launch() {
  TargetLaunch launch = testing::TestTargetLaunch(0);
  launch.memory_mb = 64;
  launch.listen_address = "10.0.0.2";
  launch.port = 80;
  return launch;
}

XlConfigOptions Options() {
  XlConfigOptions options;
  options.images_dir = kImages;
  return options;
}

ParsedXlConfig Parse(const TargetLaunch& launch,
                     const XlConfigOptions& options = Options()) {
  absl::StatusOr<XlDomainConfig> config = MakeXlConfig(launch, options);
  EXPECT_TRUE(config.ok()) << config.status();
  if (!config.ok()) return {};
  absl::StatusOr<ParsedXlConfig> parsed = ParseWithLibxlutil(config->text);
  EXPECT_TRUE(parsed.ok()) << parsed.status() << "\n" << config->text;
  return parsed.ok() ? *parsed : ParsedXlConfig{};
}

// The "key=value" pairs of a vif spec.
std::map<std::string, std::string> VifFields(const std::string& spec) {
  std::map<std::string, std::string> fields;
  for (absl::string_view part : absl::StrSplit(spec, ',')) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    fields[kv.first] = kv.second;
  }
  return fields;
}

TEST(XlConfigTest, BuiltInPvhGuestByDefault) {
  ParsedXlConfig parsed = Parse(Launch());
  EXPECT_EQ(parsed.strings["name"], "scalebench-w1-t0");
  EXPECT_EQ(parsed.strings["type"], "pvh");
  EXPECT_EQ(parsed.strings["tsc_mode"], "native");
  EXPECT_EQ(parsed.strings["kernel"], absl::StrCat(kImages, "/vmlinuz"));
  EXPECT_EQ(parsed.strings["ramdisk"], absl::StrCat(kImages, "/initrd.img"));
  EXPECT_EQ(parsed.numbers["vcpus"], 1);
  EXPECT_EQ(parsed.numbers["memory"], 64);
  EXPECT_THAT(parsed.lists["cpus"], ElementsAre("1"));
  EXPECT_EQ(parsed.strings["on_crash"], "destroy");
  EXPECT_EQ(parsed.strings["on_poweroff"], "destroy");
  EXPECT_EQ(parsed.strings["on_reboot"], "destroy");
  EXPECT_EQ(parsed.strings["extra"],
            "console=hvc0 scalebench.address=10.0.0.2/24 scalebench.port=80 "
            "scalebench.page_bytes=612 scalebench.workers=1");
  EXPECT_EQ(parsed.lists.count("disk"), 0u);
}

TEST(XlConfigTest, TheBuiltInGuestsNamesPickItsFiles) {
  TargetLaunch general = Launch();
  general.image = "general";
  ParsedXlConfig parsed = Parse(general);
  EXPECT_EQ(parsed.strings["kernel"], absl::StrCat(kImages, "/vmlinuz"));
  EXPECT_EQ(parsed.strings["ramdisk"], absl::StrCat(kImages, "/initrd.img"));
  EXPECT_EQ(parsed.strings["extra"],
            "console=hvc0 scalebench.address=10.0.0.2/24 scalebench.port=80 "
            "scalebench.page_bytes=612 scalebench.workers=1");
  // The same files; its init execs nginx as PID 1.
  TargetLaunch single_app = Launch();
  single_app.image = "single-app";
  single_app.variant = "pv";
  parsed = Parse(single_app);
  EXPECT_EQ(parsed.strings["type"], "pv");
  EXPECT_EQ(parsed.strings["kernel"], absl::StrCat(kImages, "/vmlinuz"));
  EXPECT_EQ(parsed.strings["ramdisk"], absl::StrCat(kImages, "/initrd.img"));
  EXPECT_EQ(parsed.strings["extra"],
            "console=hvc0 scalebench.address=10.0.0.2/24 scalebench.port=80 "
            "scalebench.page_bytes=612 scalebench.workers=1 "
            "scalebench.single_app=1");
}

TEST(XlConfigTest, VifHasFixedMacOnConfiguredBridge) {
  XlConfigOptions options = Options();
  options.bridge = "sbbr0";
  options.vif_script = "/etc/scalebench/vif-nested";
  ParsedXlConfig parsed = Parse(Launch(), options);
  ASSERT_EQ(parsed.lists["vif"].size(), 1u);
  std::map<std::string, std::string> vif = VifFields(parsed.lists["vif"][0]);
  EXPECT_EQ(vif["mac"], XenMacForId("scalebench-w1-t0"));
  EXPECT_EQ(vif["bridge"], "sbbr0");
  EXPECT_EQ(vif["script"], "/etc/scalebench/vif-nested");
  EXPECT_EQ(vif.size(), 3u);
}

TEST(XlConfigTest, MacIsStableUnderXensOuiAndDiffersPerId) {
  // Stable across runs and releases: FNV-1a of the id under Xen's OUI
  // (computed independently of the code under test).
  EXPECT_EQ(XenMacForId("scalebench-w1-t0"), "00:16:3e:a6:32:ff");
  EXPECT_EQ(XenMacForId("scalebench-w1-t1"), "00:16:3e:a6:31:6c");
  EXPECT_NE(XenMacForId("scalebench-w1-t0"), XenMacForId("scalebench-w1-t1"));
  EXPECT_THAT(
      XenMacForId("x"),
      ::testing::MatchesRegex("00:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}"));
  EXPECT_EQ(VifFields(Parse(Launch()).lists["vif"][0])["bridge"], "xenbr0");
}

TEST(XlConfigTest, PvGuestFromGivenKernelAndRamdisk) {
  TargetLaunch launch = Launch();
  launch.variant = "pv";
  launch.image = "/srv/guests/vmlinuz-6.1,/srv/guests/initrd-6.1.img";
  launch.vcpus = 2;
  launch.cpus = {0, 1};
  launch.memory_mb = 256;
  launch.port = 8080;
  launch.worker_processes = 4;
  ParsedXlConfig parsed = Parse(launch);
  EXPECT_EQ(parsed.strings["type"], "pv");
  EXPECT_EQ(parsed.strings.count("tsc_mode"), 0u);
  EXPECT_EQ(parsed.strings["kernel"], "/srv/guests/vmlinuz-6.1");
  EXPECT_EQ(parsed.strings["ramdisk"], "/srv/guests/initrd-6.1.img");
  EXPECT_EQ(parsed.numbers["vcpus"], 2);
  EXPECT_THAT(parsed.lists["cpus"], ElementsAre("0", "1"));
  EXPECT_EQ(parsed.numbers["memory"], 256);
  EXPECT_THAT(parsed.strings["extra"],
              HasSubstr("scalebench.port=8080 scalebench.page_bytes=612 "
                        "scalebench.workers=4"));
}

TEST(XlConfigTest, VcpusMapOntoCoresInOrderWrappingAround) {
  TargetLaunch launch = Launch();
  launch.vcpus = 3;
  launch.cpus = {2, 5};
  EXPECT_THAT(Parse(launch).lists["cpus"], ElementsAre("2", "5", "2"));
  launch.cpus.clear();
  EXPECT_EQ(Parse(launch).lists.count("cpus"), 0u);
}

TEST(XlConfigTest, HvmGuestBootsFromDisk) {
  TargetLaunch launch = Launch();
  launch.variant = "hvm";
  ParsedXlConfig parsed = Parse(launch);
  EXPECT_EQ(parsed.strings["type"], "hvm");
  EXPECT_EQ(parsed.disk_target, absl::StrCat(kImages, "/disk.img"));
  EXPECT_EQ(parsed.disk_vdev, "xvda");
  EXPECT_EQ(parsed.strings.count("kernel"), 0u);
  EXPECT_EQ(parsed.strings.count("extra"), 0u);
  EXPECT_EQ(parsed.strings.count("tsc_mode"), 0u);
  EXPECT_EQ(parsed.numbers["vnc"], 0);

  launch.image = "/srv/guests/debian.raw";
  EXPECT_EQ(Parse(launch).disk_target, "/srv/guests/debian.raw");
}

TEST(XlConfigTest, UnikernelImageIsAKernelWithoutRamdisk) {
  TargetLaunch launch = Launch();
  launch.image = "/srv/unikernels/nginx.rumprun-xen";
  launch.variant = "pv";  // Rumprun's Xen platform is PV.
  ParsedXlConfig rumprun = Parse(launch);
  EXPECT_EQ(rumprun.strings["type"], "pv");
  EXPECT_EQ(rumprun.strings["kernel"], "/srv/unikernels/nginx.rumprun-xen");
  EXPECT_EQ(rumprun.strings.count("ramdisk"), 0u);
  // No Linux console for an image without a ramdisk: only our parameters.
  EXPECT_EQ(rumprun.strings["extra"],
            "scalebench.address=10.0.0.2/24 scalebench.port=80 "
            "scalebench.page_bytes=612 scalebench.workers=1");

  launch.image = "/srv/unikernels/www.xen";
  launch.variant = "xen";  // TargetSpec.hypervisor; MirageOS 4 is PVH.
  ParsedXlConfig mirage = Parse(launch);
  EXPECT_EQ(mirage.strings["type"], "pvh");
  EXPECT_EQ(mirage.strings["tsc_mode"], "native");
  EXPECT_EQ(mirage.strings["kernel"], "/srv/unikernels/www.xen");
  EXPECT_EQ(mirage.strings.count("ramdisk"), 0u);
}

TEST(XlConfigTest, BootFilesAreListed) {
  absl::StatusOr<XlDomainConfig> pvh = MakeXlConfig(Launch(), Options());
  ASSERT_TRUE(pvh.ok()) << pvh.status();
  EXPECT_THAT(pvh->boot_files,
              ElementsAre(absl::StrCat(kImages, "/vmlinuz"),
                          absl::StrCat(kImages, "/initrd.img")));
  TargetLaunch hvm = Launch();
  hvm.variant = "hvm";
  EXPECT_THAT(MakeXlConfig(hvm, Options())->boot_files,
              ElementsAre(absl::StrCat(kImages, "/disk.img")));
}

// A value pasted raw into the config would change what xl does: the parser
// takes the last of two settings, so a name can replace the kernel.
TEST(XlConfigTest, RawPastingWouldLetANameReplaceTheKernel) {
  const std::string hostile = "x\"\nkernel = \"/tmp/evil";
  const std::string pasted =
      absl::StrCat("kernel = \"/good\"\nname = \"", hostile, "\"\n");
  absl::StatusOr<ParsedXlConfig> parsed = ParseWithLibxlutil(pasted);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->strings["kernel"], "/tmp/evil");

  TargetLaunch launch = Launch();
  launch.id = hostile;
  absl::StatusOr<XlDomainConfig> config = MakeXlConfig(launch, Options());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("id:"));
}

struct HostileCase {
  const char* field;
  void (*apply)(TargetLaunch&, XlConfigOptions&);
};

TEST(XlConfigTest, HostileValuesAreRefusedNamingTheField) {
  const HostileCase cases[] = {
      {"id", [](TargetLaunch& l, XlConfigOptions&) { l.id = "a b"; }},
      {"id", [](TargetLaunch& l, XlConfigOptions&) { l.id = "-t0"; }},
      {"id", [](TargetLaunch& l, XlConfigOptions&) { l.id = ""; }},
      {"id",
       [](TargetLaunch& l, XlConfigOptions&) { l.id = std::string(129, 'a'); }},
      {"image",
       [](TargetLaunch& l, XlConfigOptions&) {
         l.image = "/k\"\non_crash = \"preserve";
       }},
      {"image", [](TargetLaunch& l, XlConfigOptions&) { l.image = "vmlinuz"; }},
      {"image", [](TargetLaunch& l,
                   XlConfigOptions&) { l.image = "/srv/../etc/shadow"; }},
      {"image",
       [](TargetLaunch& l, XlConfigOptions&) { l.image = "/a/k,/a/r,/a/x"; }},
      {"image",
       [](TargetLaunch& l, XlConfigOptions&) {
         l.variant = "hvm";
         l.image = "/d.img, script=/tmp/own";
       }},
      {"image",
       [](TargetLaunch& l, XlConfigOptions&) {
         l.variant = "hvm";
         l.image = "/d.img,target=/dev/sda";
       }},
      {"variant", [](TargetLaunch& l, XlConfigOptions&) { l.variant = "PV"; }},
      {"variant",
       [](TargetLaunch& l, XlConfigOptions&) { l.variant = "pvh\""; }},
      {"variant",
       [](TargetLaunch& l, XlConfigOptions&) { l.variant = "qemu"; }},
      {"listen_address",
       [](TargetLaunch& l, XlConfigOptions&) {
         l.listen_address = "127.0.0.1";
       }},
      {"listen_address",
       [](TargetLaunch& l, XlConfigOptions&) {
         l.listen_address = "10.0.0.2 init=/bin/sh";
       }},
      {"listen_address",
       [](TargetLaunch& l, XlConfigOptions&) {
         l.listen_address = "10.0.0.256";
       }},
      {"listen_address",
       [](TargetLaunch& l, XlConfigOptions&) {
         l.listen_address = "010.0.0.2";
       }},
      {"listen_address",
       [](TargetLaunch& l, XlConfigOptions&) { l.listen_address = "::1"; }},
      {"vcpus", [](TargetLaunch& l, XlConfigOptions&) { l.vcpus = 0; }},
      {"vcpus", [](TargetLaunch& l, XlConfigOptions&) { l.vcpus = 1000; }},
      {"cpus", [](TargetLaunch& l, XlConfigOptions&) { l.cpus = {-1}; }},
      {"memory_mb", [](TargetLaunch& l, XlConfigOptions&) { l.memory_mb = 1; }},
      {"bridge",
       [](TargetLaunch&, XlConfigOptions& o) {
         o.bridge = "xenbr0,script=/tmp/own";
       }},
      {"bridge",
       [](TargetLaunch&, XlConfigOptions& o) {
         o.bridge = "a-very-long-bridge-name";
       }},
      {"vif_script", [](TargetLaunch&,
                        XlConfigOptions& o) { o.vif_script = "vif-bridge\""; }},
      {"images_dir",
       [](TargetLaunch&, XlConfigOptions& o) { o.images_dir = "images/xen"; }},
      {"guest_prefix_length",
       [](TargetLaunch&, XlConfigOptions& o) { o.guest_prefix_length = 33; }},
  };
  for (const HostileCase& c : cases) {
    TargetLaunch launch = Launch();
    XlConfigOptions options = Options();
    c.apply(launch, options);
    absl::StatusOr<XlDomainConfig> config = MakeXlConfig(launch, options);
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument)
        << c.field << ": " << (config.ok() ? config->text : "");
    EXPECT_THAT(config.status().message(),
                HasSubstr(absl::StrCat(c.field, ":")))
        << config.status();
  }
}

TEST(XlConfigTest, GuestTypes) {
  EXPECT_EQ(*ParseXenGuestType(""), XenGuestType::kPvh);
  EXPECT_EQ(*ParseXenGuestType("pvh"), XenGuestType::kPvh);
  EXPECT_EQ(*ParseXenGuestType("xen"), XenGuestType::kPvh);
  EXPECT_EQ(*ParseXenGuestType("pv"), XenGuestType::kPv);
  EXPECT_EQ(*ParseXenGuestType("hvm"), XenGuestType::kHvm);
  EXPECT_THAT(ParseXenGuestType("qemu").status().message(),
              HasSubstr("variant:"));
}

}  // namespace
}  // namespace scalebench::worker
