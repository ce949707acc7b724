// A hash that is the same across builds, runs and platforms (std::hash and
// absl::Hash are not), for names derived from text: a runtime dir from its
// state dir, a webhook URL's tag in logs. Not for security. Thread-safe.
#ifndef SCALEBENCH_COMMON_STABLE_HASH_H_
#define SCALEBENCH_COMMON_STABLE_HASH_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace scalebench {

// FNV-1a, 64 bits, of `data`.
inline uint64_t Fnv1a64(absl::string_view data) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_STABLE_HASH_H_
