#include "worker/agent/drivers.h"

#include "worker/targets/xen_driver.h"

namespace scalebench::worker {

std::unique_ptr<DriverSet> MakeDrivers(const WorkerContext& context,
                                       const DriverOptions& options) {
  (void)options;
  auto drivers = std::make_unique<DriverSet>();
  auto xen = std::make_unique<XenDriver>(context);
  if (absl::StatusOr<XenHostInfo> info = xen->HostInfo(); info.ok()) {
    drivers->SetVersion("xen", info->xen_version);
  }
  drivers->AddTarget(std::move(xen));
  return drivers;
}

}  // namespace scalebench::worker
