// Every target driver and balancer this build of the worker has, set up
// for one worker context. Thread-compatible.
#ifndef SCALEBENCH_WORKER_AGENT_DRIVERS_H_
#define SCALEBENCH_WORKER_AGENT_DRIVERS_H_

#include <memory>
#include <string>

#include "worker/agent/driver_set.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

struct DriverOptions {
  // The Docker engine, "unix:///path"; empty = DOCKER_HOST, else
  // unix:///var/run/docker.sock.
  std::string docker_host;
  // The qemu guests' images (deploy/images/build-qemu-images.sh); empty =
  // the build tree's build/images/qemu.
  std::string qemu_image_dir;
  // Gather the host facts that take running something (the KVM probe
  // boots a guest); false for a dry run, which then goes by whether
  // /dev/kvm is accessible. Default true.
  bool probe_host = true;
};

// The native, docker, qemu and xen drivers and the haproxy and nginx
// balancers. A driver whose platform is not usable here is still present;
// its CheckUsable() says why.
std::unique_ptr<DriverSet> MakeDrivers(const WorkerContext& context,
                                       const DriverOptions& options);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_DRIVERS_H_
