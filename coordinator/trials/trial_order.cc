#include "coordinator/trials/trial_order.h"

#include <limits>
#include <random>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "spec/limits.h"

namespace scalebench::coordinator {
namespace {

// Mixes the round number into the seed of each round's shuffle.
constexpr uint64_t kRoundSeedStride = 0x9E3779B97F4A7C15ull;

// A uniform integer in [0, n), n > 0, from the fully specified
// mt19937_64 stream (std::uniform_int_distribution and std::shuffle differ
// between standard libraries; trial order must not).
uint64_t UniformBelow(std::mt19937_64& rng, uint64_t n) {
  const uint64_t limit = std::numeric_limits<uint64_t>::max() -
                         std::numeric_limits<uint64_t>::max() % n;
  uint64_t x;
  do {
    x = rng();
  } while (x >= limit);
  return x % n;
}

}  // namespace

absl::StatusOr<std::vector<TrialPlan>> PlanTrials(uint32_t configurations,
                                                  uint32_t repetitions,
                                                  v1::TrialOrder order,
                                                  uint64_t seed) {
  // Both are 32-bit: the product cannot overflow 64 bits.
  const uint64_t trials = uint64_t{configurations} * repetitions;
  if (trials > spec::kMaxTrials) {
    return absl::InvalidArgumentError(
        absl::StrCat(configurations, " configurations x ", repetitions,
                     " repetitions = ", trials, " trials, more than the ",
                     spec::kMaxTrials, " one experiment may have"));
  }
  std::vector<TrialPlan> plan;
  plan.reserve(static_cast<size_t>(trials));
  if (order == v1::TRIAL_ORDER_SEQUENTIAL) {
    for (uint32_t c = 0; c < configurations; ++c) {
      for (uint32_t r = 0; r < repetitions; ++r) plan.push_back({c, r});
    }
    return plan;
  }
  for (uint32_t r = 0; r < repetitions; ++r) {
    std::vector<uint32_t> round(configurations);
    for (uint32_t c = 0; c < configurations; ++c) round[c] = c;
    std::mt19937_64 rng(seed + kRoundSeedStride * r);
    for (uint32_t i = configurations; i > 1; --i) {
      std::swap(round[i - 1], round[UniformBelow(rng, i)]);
    }
    for (uint32_t c : round) plan.push_back({c, r});
  }
  return plan;
}

}  // namespace scalebench::coordinator
