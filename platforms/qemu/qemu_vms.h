// The QEMU VMs of one worker: each is a QEMU process started with a pid
// file RUNTIME/run/<id>.pid, named "-name <id>", with its files in
// RUNTIME/targets/<id>/ and there a `kind` file holding "qemu", the marker
// that the pid file is a VM's (a native target's pid file has the same
// shape). The Instances of the qemu driver, and what the KVM probe at
// worker start leaves. Thread-compatible; non-copyable.
#ifndef SCALEBENCH_PLATFORMS_QEMU_QEMU_VMS_H_
#define SCALEBENCH_PLATFORMS_QEMU_QEMU_VMS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "os/env.h"
#include "worker/driver.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

class QemuVms final : public Instances {
 public:
  // What the kind file of a VM holds.
  static constexpr char kKind[] = "qemu";

  explicit QemuVms(const WorkerContext& context);

  // Whether `id` is 1 to 128 of [A-Za-z0-9._-] and not "." or "..".
  static bool ValidIdChars(absl::string_view id);

  // RUNTIME/run/<id>.pid, RUNTIME/targets/<id> and its `kind` file.
  std::string PidFile(const std::string& id) const;
  std::string Dir(const std::string& id) const;
  std::string KindFile(const std::string& id) const;

  // Stops every VM whose pid file carries this worker's owner prefix and
  // whose target dir's `kind` file says "qemu" and whose live process (if
  // any) is QEMU with that -name, and removes their pid files; leaves
  // other owners' VMs and other drivers' processes alone.
  absl::Status Recover() override;

  // Stops the VM (SIGTERM, then SIGKILL) and removes its kind file, leaving
  // its logs. Idempotent; OK for an id that is not a VM of ours.
  // INVALID_ARGUMENT for an id without the owner prefix.
  absl::Status Stop(const std::string& id) override;

  // Ids of this owner's VMs whose QEMU process runs.
  absl::StatusOr<std::vector<std::string>> List() override;

  // How the VM's QEMU ended; nullopt while it runs. INVALID_ARGUMENT for
  // an id without the owner prefix.
  absl::StatusOr<std::optional<Termination>> Terminated(
      const std::string& id) override;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_PLATFORMS_QEMU_QEMU_VMS_H_
