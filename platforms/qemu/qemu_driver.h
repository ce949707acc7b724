// The qemu platform: one QEMU virtual machine per target, running a kernel
// and initramfs built by deploy/images/build-qemu-images.sh (or any kernel
// named by TargetLaunch::image), with the guest's port 80 forwarded to the
// target's listen address and port through QEMU user networking. KVM when
// it is usable, otherwise TCG. Each VM is a process started with a pid file
// RUNTIME/run/<id>.pid; its files live in RUNTIME/targets/<id>/ (`kind`,
// "qemu", the marker that the pid file is a VM's; qemu.args, the command
// line; console.log, the guest's serial console; qemu.log, QEMU's own
// output). What runs is QemuVms's (qemu_vms.h): Recover, WaitReady (fails
// as soon as QEMU exits), Stop, List, Terminated. Thread-compatible.
#ifndef SCALEBENCH_PLATFORMS_QEMU_QEMU_DRIVER_H_
#define SCALEBENCH_PLATFORMS_QEMU_QEMU_DRIVER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "platforms/qemu/qemu_platform.h"
#include "platforms/qemu/qemu_vms.h"
#include "worker/host_facts.h"
#include "worker/targets/target_driver.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

// How guests are accelerated.
enum class QemuAccel {
  // KVM if the host facts gathered at worker start found it usable
  // (QemuOptions::kvm_usable, from ProbeKvm in worker/host_facts.h),
  // otherwise TCG. The driver itself never probes.
  kAuto,
  // Always KVM (`-machine pc,accel=kvm -cpu host`).
  kKvm,
  // Always TCG, software emulation: slow but works everywhere.
  kTcg,
};

struct QemuOptions {
  // The QEMU binary, a path or a name looked up on PATH.
  std::string qemu_binary = "qemu-system-x86_64";
  // Where build-qemu-images.sh wrote vmlinuz, general.cpio.gz and
  // single-app.cpio.gz. Relative paths are resolved against the working
  // directory at construction. Default: the script's default output.
  std::string image_dir = "build/images/qemu";
  // Acceleration. Default: kAuto.
  QemuAccel accel = QemuAccel::kAuto;
  // How long the KVM probe guest may take to boot to its end (a kernel
  // panic for want of a root file system, about a second under KVM)
  // before KVM is judged to hang. Default 10 s.
  absl::Duration kvm_probe_timeout = absl::Seconds(10);
  // What the KVM probe at worker start found (see MakeKvmProbe); read in
  // kAuto mode. Default false: TCG.
  bool kvm_usable = false;
};

// The least memory a guest may be given: the platform's own bound
// (qemu_platform.h says how it was measured), which spec validation and a
// unikernel's default memory also read.
inline constexpr uint32_t kQemuMinMemoryMb = platforms::qemu::kMinMemoryMb;

// The image kinds scalebench builds (TargetLaunch::variant).
inline constexpr char kQemuVariantGeneral[] = "general";
inline constexpr char kQemuVariantSingleApp[] = "single-app";

class QemuDriver final : public TargetDriver {
 public:
  // `context` must outlive the driver.
  QemuDriver(const WorkerContext& context, QemuOptions options = {});
  QemuDriver(const QemuDriver&) = delete;
  QemuDriver& operator=(const QemuDriver&) = delete;

  v1::Platform platform() const override { return v1::PLATFORM_QEMU; }

  // FAILED_PRECONDITION when the QEMU binary or the images are missing,
  // saying how to install or build them.
  absl::Status CheckUsable() override;

  // The QEMU command line, and the files qemu.args (its copy) and `kind`.
  // launch.image is ""
  // (the variant's initramfs with our vmlinuz), "KERNEL" (a kernel or
  // unikernel, no initramfs) or "KERNEL,INITRD"; launch.variant is
  // "general" (default) or "single-app" and is ignored with an image.
  // INVALID_ARGUMENT for an id without the owner prefix, a bad variant,
  // address or port, no vCPUs, or less memory than kQemuMinMemoryMb.
  // Starts nothing: in kAuto mode the accelerator comes from
  // QemuOptions::kvm_usable.
  absl::StatusOr<LaunchPlan> Plan(const TargetLaunch& launch) override;

  // Starts the VM, pinned to launch.cpus, and returns before it boots.
  // FAILED_PRECONDITION when its kernel or initramfs is missing or a VM
  // with that id runs; INTERNAL when QEMU exits at once (port in use...),
  // with the tail of its output.
  absl::StatusOr<Target> Start(const TargetLaunch& launch) override;

  // The accelerator guests get: "kvm" or "tcg".
  std::string Accelerator() const;

  // The KVM probe for this worker and these options: the guest is our
  // kernel, its files go to RUNTIME/targets/<owner>-kvm-probe/. For the
  // host facts at worker start (ProbeKvm).
  static KvmProbe MakeKvmProbe(const WorkerContext& context,
                               const QemuOptions& options);

 private:
  Instances& instances() override { return vms_; }

  const WorkerContext& context_;
  os::Env& env_;
  const QemuOptions options_;
  QemuVms vms_;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_PLATFORMS_QEMU_QEMU_DRIVER_H_
