// Free TCP ports on an address, for servers this project starts (targets,
// balancers, test servers) to listen on. Thread-safe.
#ifndef SCALEBENCH_COMMON_FREE_PORTS_H_
#define SCALEBENCH_COMMON_FREE_PORTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace scalebench {

// Where FreePorts looks: the `kPortSpan` ports just below the kernel's
// ephemeral range, which bind(port 0) and outgoing connections never hand
// out, so a port chosen here cannot be taken by another process's
// ephemeral bind between choosing it and using it.
inline constexpr int kPortSpan = 12000;

// The ephemeral range from the text of /proc/sys/net/ipv4/ip_local_port_range
// ("32768\t60999"); Linux's default when the text is not two numbers.
std::pair<int, int> ParseEphemeralRange(absl::string_view text);

// [low - kPortSpan, low) for the ephemeral range's `low`, never below 1024.
std::pair<int, int> PortRangeBelow(std::pair<int, int> ephemeral);

// `count` distinct ports free on `address` now, from PortRangeBelow the
// system's ephemeral range, starting at a random place in it: each is
// bound (all together, so they differ), then released. Another program
// choosing ports the same way could still take one before it is used; a
// target that then fails to bind fails its start with a clear error, and
// the attempt is retried. INVALID_ARGUMENT for an address that is not
// IPv4; RESOURCE_EXHAUSTED when the range has too few free ports.
absl::StatusOr<std::vector<uint16_t>> FreePorts(const std::string& address,
                                                int count);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_FREE_PORTS_H_
