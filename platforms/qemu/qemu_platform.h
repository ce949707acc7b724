// PLATFORM_QEMU's bounds, shared by its description (spec checks and
// defaults) and its worker part. Constants only; thread-safe.
#ifndef SCALEBENCH_PLATFORMS_QEMU_QEMU_PLATFORM_H_
#define SCALEBENCH_PLATFORMS_QEMU_QEMU_PLATFORM_H_

#include <cstdint>

namespace scalebench::platforms::qemu {

// vCPUs of one guest (QEMU's limit for the machine type the driver uses).
inline constexpr uint32_t kMaxVcpus = 64;
// The least memory a guest boots with, MiB (worker/targets/qemu_driver.h
// says why; its kQemuMinMemoryMb is the same bound).
inline constexpr uint32_t kMinMemoryMb = 128;

}  // namespace scalebench::platforms::qemu

#endif  // SCALEBENCH_PLATFORMS_QEMU_QEMU_PLATFORM_H_
