// Canned trial results and experiments for the report's unit tests.
// Test-only; thread-compatible.
#ifndef SCALEBENCH_REPORT_REPORT_TEST_UTIL_H_
#define SCALEBENCH_REPORT_REPORT_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "analysis/model_fit.h"
#include "report/report_data.h"
#include "results/test_trials.h"
#include "results/trial_rows.h"
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

// The fits the coordinator stores for `spec` over `trials`.
inline absl::StatusOr<std::vector<v1::ModelFit>> StoredFits(
    const v1::ModelSpec& spec, const std::vector<v1::TrialResult>& trials) {
  absl::StatusOr<analysis::RowTable> table = results::TrialRowTable(trials);
  if (!table.ok()) return table.status();
  return analysis::ApplyModel(spec, *table);
}

// A multi-host sweep of `experiment`: hosts [1, 2] x balancer [haproxy,
// nginx] x instances [1, 2, 3, 4], `reps` repetitions, so each instance
// count is measured on one host and on two. The rate is `scale` x 1000 x
// instances (+ 20 x repetition), 90% of it behind nginx, 5% more on two
// hosts; worker "w1" measured hosts=1, "w2" hosts=2.
inline std::vector<v1::TrialResult> MultiHostSweep(
    const std::string& experiment, int reps, double scale = 1) {
  std::vector<v1::TrialResult> trials;
  int number = 0;
  for (int rep = 0; rep < reps; ++rep) {
    int index = 0;
    for (int hosts : {1, 2}) {
      for (v1::BalancerKind balancer :
           {v1::BALANCER_KIND_HAPROXY, v1::BALANCER_KIND_NGINX}) {
        for (int instances = 1; instances <= 4; ++instances) {
          const double rate = scale * (1000.0 * instances + 20 * rep) *
                              (balancer == v1::BALANCER_KIND_NGINX ? 0.9 : 1) *
                              (hosts == 2 ? 1.05 : 1);
          v1::TrialResult t =
              Trial(experiment, number++, index++, instances, balancer, rate,
                    100 + 10 * instances, rep * 30 - 10 * hosts,
                    absl::StrCat("w", hosts));
          t.mutable_configuration()->set_hosts(hosts);
          trials.push_back(std::move(t));
        }
      }
    }
  }
  return trials;
}

// The cross-host model of a MultiHostSweep: linear requests_per_s on
// instances by balancer, trained on hosts=1 and tested on hosts=2.
inline v1::ModelSpec CrossHostModel() {
  v1::ModelSpec spec;
  spec.set_fit(v1::MODEL_KIND_LINEAR);
  spec.set_x("instances");
  spec.set_y("requests_per_s");
  spec.add_by("balancer");
  (*spec.mutable_train()->mutable_factors())["hosts"].add_values("1");
  (*spec.mutable_test()->mutable_factors())["hosts"].add_values("2");
  return spec;
}

// Experiment `id` of a MultiHostSweep (3 repetitions, `scale`) with the
// fits the coordinator stores for CrossHostModel(), as `scalebench report`
// fetches it.
inline absl::StatusOr<RunInput> MultiHostRun(const std::string& id,
                                             double scale = 1) {
  RunInput run;
  run.experiment = Experiment(id, "cross-host");
  run.trials = MultiHostSweep(id, 3, scale);
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      StoredFits(CrossHostModel(), run.trials);
  if (!fits.ok()) return fits.status();
  run.fits = *std::move(fits);
  return run;
}

}  // namespace scalebench::report::testing

#endif  // SCALEBENCH_REPORT_REPORT_TEST_UTIL_H_
