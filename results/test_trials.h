// Canned trial results for the tests of results/, report/ and cli/: one
// valid merged TrialResult from a handful of numbers. Test-only;
// thread-compatible.
#ifndef SCALEBENCH_RESULTS_TEST_TRIALS_H_
#define SCALEBENCH_RESULTS_TEST_TRIALS_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::results::testing {

// Ten samples: 100 ns x5, 200 ns x4 (buckets of width 1 ns) and 5000 ns
// (bucket 796, [4992, 5024), midpoint 5008, kept within max 5000). Mean =
// (500 + 800 + 5000) / 10 = 630 ns; p50 = rank 5 -> 100 ns; p90 = rank 9
// -> 200 ns; p99 = rank 10 -> 5000 ns, the max.
inline v1::LatencyHistogram TenSamples() {
  v1::LatencyHistogram h;
  h.set_sub_bucket_bits(7);
  h.set_highest_trackable_ns(1'000'000);
  for (auto [index, count] :
       {std::pair<uint32_t, uint64_t>{100, 5}, {200, 4}, {796, 1}}) {
    h.add_bucket_index(index);
    h.add_bucket_count(count);
  }
  h.set_count(10);
  h.set_sum_ns(6300);
  h.set_min_ns(100);
  h.set_max_ns(5000);
  return h;
}

// Trial `number` of `experiment` ("exp-000001") at configuration `index`:
// native, `instances` instances, no balancer, 1 host, 1 vCPU, 10
// connections. It measured `requests_per_s` (and a tenth of it in KB/s)
// with 10 requests of `latency_ns` each (below 256: one histogram bucket
// per ns), and no errors.
inline v1::TrialResult Trial(const std::string& experiment, uint32_t number,
                             uint32_t index, uint32_t instances,
                             double requests_per_s, int latency_ns = 100) {
  v1::TrialResult t;
  t.mutable_key()->set_trial(
      absl::StrCat("experiments/", experiment, "/trials/", number));
  t.mutable_key()->set_attempt(1);
  v1::Configuration* c = t.mutable_configuration();
  c->set_index(index);
  c->set_platform(v1::PLATFORM_NATIVE);
  c->set_instances(instances);
  c->set_balancer(v1::BALANCER_KIND_NONE);
  c->set_hosts(1);
  c->set_vcpus(1);
  c->set_connections(10);
  v1::LatencyHistogram* h = t.mutable_merged()->mutable_latency();
  h->set_sub_bucket_bits(7);
  h->set_highest_trackable_ns(1'000'000);
  h->add_bucket_index(latency_ns);
  h->add_bucket_count(10);
  h->set_count(10);
  h->set_sum_ns(10 * latency_ns);
  h->set_min_ns(latency_ns);
  h->set_max_ns(latency_ns);
  t.set_requests_per_s(requests_per_s);
  t.set_transfer_kb_per_s(requests_per_s / 10);
  return t;
}

}  // namespace scalebench::results::testing

#endif  // SCALEBENCH_RESULTS_TEST_TRIALS_H_
