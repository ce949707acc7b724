// What a host is and can do, as the API reports it (v1.HostEnvironment and
// v1.HostFacts): kernel, CPU model, cores, SMT, governor, memory, whether
// it is itself a virtual machine, and which platforms and balancers are
// usable here with their versions. Read from /proc and /sys under a root
// that tests can point at a fake tree. Thread-safe.
#ifndef SCALEBENCH_WORKER_HOST_FACTS_H_
#define SCALEBENCH_WORKER_HOST_FACTS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/clock.h"
#include "os/env.h"
#include "scalebench/v1/common.pb.h"

namespace scalebench::worker {

// The machine under `root` ("/" for this one; a fake tree in tests): every
// field of HostEnvironment except versions and pinning, which belong to a
// trial. A file that is missing leaves its field empty, never an error.
v1::HostEnvironment ReadHostEnvironment(const std::string& root = "/");

// The cores this process may run on (its affinity mask), ascending.
std::vector<int> AllowedCpus();

// A platform or balancer found usable, with the version of what runs it
// ("nginx" -> "1.22.1").
struct Capability {
  int kind = 0;  // A v1::Platform or v1::BalancerKind value.
  std::string program;
  std::string version;
};

// A KVM probe: boots `kernel` under KVM with no initramfs and no root
// device, so that it panics at the end of boot and (with -no-reboot) QEMU
// exits. KVM can be present and still hang guests (nested virtualization
// without the host's support): booted = exited in time with the panic on
// the console.
struct KvmProbe {
  std::string qemu_binary;
  std::string kernel;
  // The probe guest's -name, and where its files (console.log, qemu.log,
  // qemu.args, kind) and pid file go.
  std::string id;
  std::string dir;
  std::string pid_file;
  // How long the guest may take to boot to its end. Default 10 s.
  absl::Duration timeout = absl::Seconds(10);
};

// Whether KVM is usable here: /dev/kvm is readable and writable and the
// probe guest boots under it in time. Runs a VM, and leaves nothing
// behind: a host fact gathered once at worker start, never by a driver's
// Plan().
bool ProbeKvm(const KvmProbe& probe, os::Env& env, Clock& clock);

// Whether /dev/kvm can be opened for reading and writing (no guest runs).
bool KvmDeviceAccessible();

// The facts a worker reports at the start of its session.
v1::HostFacts MakeHostFacts(const v1::HostEnvironment& environment,
                            const std::vector<std::string>& addresses,
                            const std::vector<Capability>& platforms,
                            const std::vector<Capability>& balancers,
                            const std::vector<int>& cpus);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_HOST_FACTS_H_
