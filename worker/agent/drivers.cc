#include "worker/agent/drivers.h"

namespace scalebench::worker {

std::unique_ptr<DriverSet> MakeDrivers(const WorkerContext& context,
                                       const DriverOptions& options) {
  (void)context;
  (void)options;
  auto drivers = std::make_unique<DriverSet>();
  return drivers;
}

}  // namespace scalebench::worker
