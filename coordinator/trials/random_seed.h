// The seed an experiment orders its trials with when its spec names none:
// 64 bits from the OS's entropy source. Thread-safe.
#ifndef SCALEBENCH_COORDINATOR_TRIALS_RANDOM_SEED_H_
#define SCALEBENCH_COORDINATOR_TRIALS_RANDOM_SEED_H_

#include <cstdint>
#include <random>

namespace scalebench::coordinator {

inline uint64_t RandomSeed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) | device();
}

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_TRIALS_RANDOM_SEED_H_
