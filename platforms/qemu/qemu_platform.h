// PLATFORM_QEMU's bounds, shared by its description (spec checks and
// defaults) and its worker part. Constants only; thread-safe.
#ifndef SCALEBENCH_PLATFORMS_QEMU_QEMU_PLATFORM_H_
#define SCALEBENCH_PLATFORMS_QEMU_QEMU_PLATFORM_H_

#include <cstdint>

namespace scalebench::platforms::qemu {

// vCPUs of one guest (QEMU's limit for the machine type the driver uses).
inline constexpr uint32_t kMaxVcpus = 64;
// The least memory a guest boots with, MiB. Measured with Debian's cloud
// kernel and our images (a ~5 MiB gzip initramfs unpacked in memory): 64
// MiB panics during boot, 96 MiB boots one vCPU; 128 leaves room for more
// vCPUs and nginx workers. TargetSpec's default for VMs is 256.
inline constexpr uint32_t kMinMemoryMb = 128;

}  // namespace scalebench::platforms::qemu

#endif  // SCALEBENCH_PLATFORMS_QEMU_QEMU_PLATFORM_H_
