#include "worker/agent/drivers.h"

#include "worker/targets/docker_driver.h"
#include "worker/targets/xen_driver.h"

namespace scalebench::worker {

std::unique_ptr<DriverSet> MakeDrivers(const WorkerContext& context,
                                       const DriverOptions& options) {
  auto drivers = std::make_unique<DriverSet>();
  DockerDriverOptions docker;
  docker.docker_host = ResolveDockerHost(options.docker_host);
  absl::StatusOr<std::unique_ptr<DockerDriver>> docker_driver =
      DockerDriver::Create(context, docker);
  if (docker_driver.ok()) drivers->AddTarget(*std::move(docker_driver));
  auto xen = std::make_unique<XenDriver>(context);
  if (absl::StatusOr<XenHostInfo> info = xen->HostInfo(); info.ok()) {
    drivers->SetVersion("xen", info->xen_version);
  }
  drivers->AddTarget(std::move(xen));
  return drivers;
}

}  // namespace scalebench::worker
