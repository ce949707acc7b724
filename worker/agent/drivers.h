// Every target driver and balancer this build of the worker has, set up
// for one worker context: each registered platform's driver
// (platforms/driver_factory.h) and the haproxy and nginx balancers.
// Thread-compatible.
#ifndef SCALEBENCH_WORKER_AGENT_DRIVERS_H_
#define SCALEBENCH_WORKER_AGENT_DRIVERS_H_

#include <memory>

#include "platforms/driver_factory.h"
#include "worker/agent/driver_set.h"
#include "worker/worker_context.h"

namespace scalebench::worker {

using platforms::DriverOptions;

// A driver whose platform is not usable here is still present; its
// CheckUsable() says why. One that could not be made is recorded as
// missing, with the reason.
std::unique_ptr<DriverSet> MakeDrivers(const WorkerContext& context,
                                       const DriverOptions& options);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_AGENT_DRIVERS_H_
