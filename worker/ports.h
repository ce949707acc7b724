// Free TCP ports on an address, for targets and balancers to listen on.
// Thread-safe.
#ifndef SCALEBENCH_WORKER_PORTS_H_
#define SCALEBENCH_WORKER_PORTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace scalebench::worker {

// `count` distinct ports the kernel reports free on `address` now (bound to
// port 0 together, then released). Another process could take one before
// it is used; a target that then fails to bind fails its start with a
// clear error, and the attempt is retried.
absl::StatusOr<std::vector<uint16_t>> FreePorts(const std::string& address,
                                                int count);

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_PORTS_H_
