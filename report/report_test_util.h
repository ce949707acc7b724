// Canned trial results and experiments for the report's unit tests.
// Test-only; thread-compatible.
#ifndef SCALEBENCH_REPORT_REPORT_TEST_UTIL_H_
#define SCALEBENCH_REPORT_REPORT_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "results/test_trials.h"
#include "scalebench/v1/coordinator.pb.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::report::testing {

// Trial `number` of `experiment` (configuration `index`: native,
// `instances`, `balancer`) measuring `rate` requests/s, a latency of
// `latency_ns` in every request, a start skew of `skew_us`, and a raw
// result from `worker` with its host environment.
inline v1::TrialResult Trial(const std::string& experiment, int number,
                             int index, int instances,
                             v1::BalancerKind balancer, double rate,
                             int latency_ns = 100, int skew_us = 0,
                             const std::string& worker = "w1") {
  v1::TrialResult t = results::testing::Trial(experiment, number, index,
                                              instances, rate, latency_ns);
  v1::Configuration* c = t.mutable_configuration();
  c->set_balancer(balancer);
  if (balancer == v1::BALANCER_KIND_HAPROXY)
    c->set_algorithm(v1::BALANCER_ALGORITHM_ROUNDROBIN);
  t.mutable_merged()->mutable_start_skew()->set_nanos(skew_us * 1000);
  t.mutable_max_start_skew()->set_nanos(skew_us * 1000);
  v1::WorkerResult* raw = t.add_raw();
  raw->set_worker_id(worker);
  raw->mutable_environment()->set_hostname(absl::StrCat(worker, "-host"));
  raw->mutable_environment()->set_logical_cpus(2);
  return t;
}

inline v1::Experiment Experiment(const std::string& id,
                                 const std::string& spec_name) {
  v1::Experiment e;
  e.set_name(absl::StrCat("experiments/", id));
  e.mutable_spec()->set_name(spec_name);
  e.set_state(v1::EXPERIMENT_STATE_SUCCEEDED);
  e.mutable_create_time()->set_seconds(1'800'000'000);
  e.mutable_progress()->set_trials_total(12);
  e.mutable_progress()->set_trials_succeeded(12);
  return e;
}

}  // namespace scalebench::report::testing

#endif  // SCALEBENCH_REPORT_REPORT_TEST_UTIL_H_
