// How a target (one instance of the service under test) runs on a platform:
// one TargetDriver per platform, with the shape of worker/driver.h (shared
// with the balancers). Every target a driver starts carries the worker's
// identity (a name prefix, a container label, a pid file under the state
// dir), so Recover() can find and remove what an earlier worker with the
// same state dir left behind. Implementations are thread-compatible: the
// worker drives one trial at a time.
#ifndef SCALEBENCH_WORKER_TARGETS_TARGET_DRIVER_H_
#define SCALEBENCH_WORKER_TARGETS_TARGET_DRIVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scalebench/v1/spec.pb.h"
#include "worker/driver.h"
#include "worker/launch_plan.h"

namespace scalebench::worker {

// One target to start, fully resolved: no defaults left to apply.
struct TargetLaunch {
  // Unique on this host and carrying the worker's identity:
  // "<owner>-t<index>", where <owner> is WorkerContext::owner. Used as the
  // container name, VM name, Xen domain name, and pid-file name.
  std::string id;
  // Instance number within the trial, from 0.
  int index = 0;
  // Host cores the target is pinned to (its vCPUs map onto them in order;
  // cores may repeat across targets when the host is overcommitted).
  std::vector<int> cpus;
  // vCPUs of the target (VMs get this many; nginx this many workers unless
  // worker_processes says otherwise).
  uint32_t vcpus = 1;
  // Memory limit in MiB (containers, VMs); ignored for native.
  uint32_t memory_mb = 64;
  // The address and port on which this host's load generator or balancer
  // reaches the target: nginx listens there (native, docker on host
  // networking) or the VM's port 80 is forwarded there (qemu), or the Xen
  // guest's address with port 80.
  std::string listen_address = "127.0.0.1";
  uint16_t port = 0;
  // The page served at "/", in bytes.
  uint32_t page_bytes = 612;
  // nginx worker processes inside the target; 0 = one per vCPU.
  uint32_t worker_processes = 0;
  // TargetSpec.image: "" for the image scalebench builds itself, else a
  // Docker image name, a kernel path, or a unikernel image path.
  std::string image;
  // For PLATFORM_UNIKERNEL and xen: the guest type or hypervisor variant
  // ("pv", "pvh", "hvm"; "xen" or "qemu" for unikernels).
  std::string variant;
};

// A target driver: the shape of worker/driver.h for one platform.
class TargetDriver : public Driver<TargetLaunch> {
 public:
  // The platform this driver runs targets on.
  virtual v1::Platform platform() const = 0;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_TARGETS_TARGET_DRIVER_H_
