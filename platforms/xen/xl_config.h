// The xl domain configuration (xl.cfg(5)) of one Xen target, generated
// from a TargetLaunch. Every value is checked against a strict pattern
// before it is written (names, absolute paths of plain characters, bridge
// names, IPv4 addresses, bounded numbers), so nothing from a spec can end a
// string, add a setting or replace one: a value that does not fit is
// refused with INVALID_ARGUMENT naming the field. Pure functions;
// thread-safe.
#ifndef SCALEBENCH_PLATFORMS_XEN_XL_CONFIG_H_
#define SCALEBENCH_PLATFORMS_XEN_XL_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "worker/targets/target_driver.h"

namespace scalebench::worker {

// How Xen runs the guest (xl.cfg `type`).
enum class XenGuestType { kPv, kPvh, kHvm };

// "pv", "pvh" or "hvm".
const char* XenGuestTypeName(XenGuestType type);

// Where the images of the built-in guest are expected: a later image
// script writes them to <build dir>/images/xen/. The worker resolves this
// relative path against its working directory (the source tree, as for
// build/bin/); XenDriverOptions::images_dir overrides it.
inline constexpr char kDefaultXenImagesDir[] = "build/images/xen";
// The files in that directory: a PV/PVH-capable Linux kernel and its
// initramfs (busybox, nginx, an init that reads the scalebench.* kernel
// parameters below), and a bootable raw disk image for HVM guests.
inline constexpr char kXenKernelFile[] = "vmlinuz";
inline constexpr char kXenRamdiskFile[] = "initrd.img";
inline constexpr char kXenDiskFile[] = "disk.img";
// `image` names of the built-in guest, as for the qemu driver: "general"
// (the same as no image) boots it as a traditional VM; "single-app" boots
// the same files with scalebench.single_app=1, on which its init execs
// nginx as PID 1 and the only process: the unikernel stand-in.
inline constexpr char kXenGeneralImage[] = "general";
inline constexpr char kXenSingleAppImage[] = "single-app";

// The bridge a guest's vif joins unless configured otherwise.
inline constexpr char kDefaultXenBridge[] = "xenbr0";

// The guest listens on this port when the launch gives port 0.
inline constexpr int kDefaultXenGuestPort = 80;

struct XlConfigOptions {
  // Absolute directory of the built-in guest's images (kXenKernelFile,
  // kXenRamdiskFile, kXenDiskFile). Required when a launch has no `image`.
  std::string images_dir;
  // Bridge the guest's vif joins: a Linux interface name
  // ([A-Za-z0-9_.-]{1,15}). Default "xenbr0".
  std::string bridge = kDefaultXenBridge;
  // Hotplug script of the vif: an absolute path or a file name under
  // /etc/xen/scripts. Empty (default) = xl's default, vif-bridge.
  std::string vif_script;
  // Prefix length of the guest's address on the bridge's network, passed
  // to the guest with its address. Default 24.
  int guest_prefix_length = 24;
};

// A generated configuration.
struct XlDomainConfig {
  // The domain's name: the launch's id.
  std::string name;
  XenGuestType type = XenGuestType::kPvh;
  // The files the domain boots from (kernel, and ramdisk if any, for pv
  // and pvh; the disk image for hvm), for the driver to check before
  // `xl create`.
  std::vector<std::string> boot_files;
  // The xl.cfg text.
  std::string text;
};

// The guest type a launch's `variant` asks for: "" = pvh; "pv", "pvh",
// "hvm"; "xen" (a unikernel's hypervisor, TargetSpec.hypervisor) = pvh.
// INVALID_ARGUMENT naming `variant` otherwise.
absl::StatusOr<XenGuestType> ParseXenGuestType(absl::string_view variant);

// The domain's fixed MAC address: Xen's OUI 00:16:3e followed by three
// bytes of a hash of `id`, so a target keeps its MAC across runs.
std::string XenMacForId(absl::string_view id);

// Generates the configuration of `launch`:
//   name, type ("pvh" unless `variant` says otherwise);
//   pv, pvh: kernel and ramdisk of the built-in guest (no `image`,
//     "general" or "single-app"), or from `image`: "KERNEL,RAMDISK" (a
//     Linux guest) or "KERNEL" alone (a unikernel: Rumprun as pv,
//     MirageOS/Solo5 as pvh), absolute paths;
//   hvm: disk from `image` or the built-in disk image;
//   vcpus, cpus (vCPU i pinned to cpus[i mod cpus.size()]; none if empty),
//   memory (MiB), one vif with the fixed MAC on the bridge,
//   tsc_mode = "native" for pvh, on_poweroff/on_reboot/on_crash "destroy",
//   extra (pv, pvh): the guest's settings, "scalebench.address=A/PREFIX
//     scalebench.port=P scalebench.page_bytes=N scalebench.workers=W"
//     (and " scalebench.single_app=1" for "single-app"), after
//     "console=hvc0" when there is a ramdisk (a Linux guest). An
//     HVM guest boots from its disk, whose boot loader sets its command
//     line, so it gets none.
// INVALID_ARGUMENT naming the field when a value does not fit its pattern:
// id ([A-Za-z0-9][A-Za-z0-9_.-]{0,127}), paths (absolute, [A-Za-z0-9_.+/-],
// no ".." component), listen_address (a unicast IPv4 address other than
// loopback), port, vcpus (1..128), cpus (0..4095), memory_mb (8..1048576),
// page_bytes, worker_processes, and the options.
absl::StatusOr<XlDomainConfig> MakeXlConfig(const TargetLaunch& launch,
                                            const XlConfigOptions& options);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_PLATFORMS_XEN_XL_CONFIG_H_
