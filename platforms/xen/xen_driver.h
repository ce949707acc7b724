// The xen platform: targets are Xen domains started with the `xl`
// toolstack from the dom0 of a Xen host, where the worker runs. Each
// domain is named by its target id ("<owner>-t<index>"), so `xl list`
// shows which domains are this worker's (XenDomains, xen_domains.h,
// answers Recover, WaitReady, Stop, List and Terminated); its xl config is
// written to DIR/targets/<id>/domain.cfg (see xl_config.h for what it
// holds).
//
// The endpoint of a target is the guest's own address, which the launch
// gives (TargetLaunch::listen_address; the guest's init reads it from the
// kernel command line and configures its vif on the bridge), with the
// launch's port (80 when 0). The worker does not discover it.
//
// Unikernels with TargetSpec.hypervisor "xen" run here too (DriverSet maps
// PLATFORM_UNIKERNEL on "xen" to this driver): their image is a kernel
// without a ramdisk, booted as pvh (MirageOS/Solo5) or, with variant "pv",
// as pv (Rumprun).
//
// Not exercised against a hypervisor in this repository's tests: they
// check the generated configs with Xen's own parser (libxlutil) and the
// commands against a stand-in for `xl` (docs/xen.md). Thread-compatible.
#ifndef SCALEBENCH_PLATFORMS_XEN_XEN_DRIVER_H_
#define SCALEBENCH_PLATFORMS_XEN_XEN_DRIVER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "os/env.h"
#include "platforms/xen/xen_domains.h"
#include "platforms/xen/xl_config.h"
#include "scalebench/v1/spec.pb.h"
#include "worker/launch_plan.h"
#include "worker/targets/target_driver.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

// What `xl info` says about the host.
struct XenHostInfo {
  std::string xen_version;       // "4.17.3-pre"
  int nr_cpus = 0;               // Physical CPUs Xen schedules on.
  uint64_t total_memory_mb = 0;  // MiB.
  uint64_t free_memory_mb = 0;   // MiB not given to any domain.
};

// Parses `xl info` output ("key : value" lines). INVALID_ARGUMENT when
// xen_version, nr_cpus or free_memory is missing or malformed.
absl::StatusOr<XenHostInfo> ParseXlInfo(absl::string_view text);

struct XenDriverOptions {
  // The xl binary: a path, or a name looked up on PATH. Default "xl".
  std::string xl = "xl";
  // The built-in guest's images (xl_config.h); relative paths are resolved
  // against the worker's working directory. Default "build/images/xen".
  std::string images_dir = kDefaultXenImagesDir;
  // The bridge every guest's vif joins. Default "xenbr0".
  std::string bridge = kDefaultXenBridge;
  // The vif hotplug script; empty (default) = xl's vif-bridge.
  std::string vif_script;
  // Prefix length of the guests' addresses on the bridge. Default 24.
  int guest_prefix_length = 24;
  // How long one xl command may take before it is killed. Default 120 s
  // (`xl create` took about 6 s with Xen nested under QEMU TCG).
  absl::Duration command_timeout = absl::Seconds(120);
};

class XenDriver final : public TargetDriver {
 public:
  explicit XenDriver(WorkerContext context, XenDriverOptions options = {});
  XenDriver(const XenDriver&) = delete;
  XenDriver& operator=(const XenDriver&) = delete;

  v1::Platform platform() const override { return v1::PLATFORM_XEN; }

  // OK when `xl info` runs and reports the host; FAILED_PRECONDITION with
  // the reason otherwise (xl not installed, not in dom0, no hypervisor).
  absl::Status CheckUsable() override;

  // The domain config (written to DIR/targets/<id>/domain.cfg) and
  // `xl create <that path>`. INVALID_ARGUMENT naming the field when a value
  // does not fit (xl_config.h), or when the id is not "<owner>-t<N>".
  absl::StatusOr<LaunchPlan> Plan(const TargetLaunch& launch) override;

  // Follows Plan(): FAILED_PRECONDITION when a boot file (kernel, ramdisk
  // or disk image) is missing; INTERNAL with xl's output when `xl create`
  // fails. Returns when xl has created the domain, before the guest
  // answers; the endpoint is "<listen_address>:<port>".
  absl::StatusOr<Target> Start(const TargetLaunch& launch) override;

  // The host's facts from `xl info`.
  absl::StatusOr<XenHostInfo> HostInfo();

 private:
  Instances& instances() override { return domains_; }
  // Plan(), also handing out the config it was made from when
  // `config_out` is not null.
  absl::StatusOr<LaunchPlan> PlanWithConfig(const TargetLaunch& launch,
                                            XlDomainConfig* config_out);
  std::string ConfigPath(const std::string& id) const;

  WorkerContext context_;
  XenDriverOptions options_;
  XlConfigOptions config_options_;
  XenDomains domains_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_PLATFORMS_XEN_XEN_DRIVER_H_
