// How a target (one instance of the service under test) runs on a platform:
// one TargetDriver per platform, shaped like a Mesos containerizer. Every
// target a driver starts carries the worker's identity (a name prefix, a
// container label, a pid file under the state dir), so Recover() can find
// and remove what an earlier worker with the same state dir left behind.
// Implementations are thread-compatible: the worker drives one trial at a
// time.
#ifndef SCALEBENCH_WORKER_TARGETS_TARGET_DRIVER_H_
#define SCALEBENCH_WORKER_TARGETS_TARGET_DRIVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scalebench/v1/spec.pb.h"
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

// A started target.
struct Target {
  std::string id;
  // host:port at which it answers HTTP.
  std::string endpoint;
};

class TargetDriver {
 public:
  virtual ~TargetDriver() = default;

  // The platform this driver runs targets on.
  virtual v1::Platform platform() const = 0;

  // Whether this host can run the platform (binaries present, engine
  // reachable, ...); the reason when it cannot. Cheap; never starts a
  // target.
  virtual absl::Status CheckUsable() = 0;

  // Removes every target an earlier worker with the same identity left
  // (its processes, containers, VMs, domains). Idempotent; OK when there
  // is nothing to remove.
  virtual absl::Status Recover() = 0;

  // The files and commands Start(launch) would write and run; starts
  // nothing. INVALID_ARGUMENT when `launch` cannot be run as given.
  virtual absl::StatusOr<LaunchPlan> Plan(const TargetLaunch& launch) = 0;

  // Starts the target and returns at once (before it answers). Errors say
  // what failed ("nginx exited with status 1: ...").
  virtual absl::StatusOr<Target> Start(const TargetLaunch& launch) = 0;

  // Stops the target and releases its resources. Idempotent: a target that
  // is already gone is OK.
  virtual absl::Status Stop(const std::string& id) = 0;

  // Ids of the targets of this worker's identity that exist now.
  virtual absl::StatusOr<std::vector<std::string>> List() = 0;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_TARGETS_TARGET_DRIVER_H_
