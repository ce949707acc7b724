// The coordinator's persistent state, one store per concern over one
// database (database.h): experiments, trials and attempts, results, model
// fits, workers, nightly schedules, the webhook outbox, and the counts for
// metrics. Every mutating call is one transaction; a call that spans
// concerns (FireSchedule creates an experiment, EndAttempt stores a
// result, JudgeRun queues notifications) is one transaction too, since the
// stores share the connection and its lock. Every state transition of an
// experiment or trial appends an ExperimentEvent, numbered per experiment
// from 1 without gaps, in the same transaction.
//
// Callers take the store they need; the daemon and tests open them all at
// once here. Thread-safe: calls are serialized on the one connection.
#ifndef SCALEBENCH_COORDINATOR_STORE_STORES_H_
#define SCALEBENCH_COORDINATOR_STORE_STORES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "coordinator/store/database.h"
#include "coordinator/store/experiment_store.h"
#include "coordinator/store/fit_store.h"
#include "coordinator/store/metrics_store.h"
#include "coordinator/store/outbox_store.h"
#include "coordinator/store/result_store.h"
#include "coordinator/store/schedule_store.h"
#include "coordinator/store/trial_store.h"
#include "coordinator/store/worker_store.h"

namespace scalebench::coordinator {

class Stores final {
 public:
  // Opens the database at `path` (StoreDatabase::Open's contract and
  // errors) and every store over it. `clock` must outlive the stores.
  static absl::StatusOr<std::unique_ptr<Stores>> Open(const std::string& path,
                                                      Clock* clock);

  Stores(const Stores&) = delete;
  Stores& operator=(const Stores&) = delete;

  ExperimentStore& experiments() { return experiments_; }
  TrialStore& trials() { return trials_; }
  ResultStore& results() { return results_; }
  FitStore& fits() { return fits_; }
  WorkerStore& workers() { return workers_; }
  ScheduleStore& schedules() { return schedules_; }
  OutboxStore& outbox() { return outbox_; }
  MetricsStore& metrics() { return metrics_; }
  StoreDatabase& database() { return *db_; }

 private:
  explicit Stores(std::unique_ptr<StoreDatabase> db);

  // First member: destroyed last, after the stores that point to it.
  const std::unique_ptr<StoreDatabase> db_;
  ExperimentStore experiments_;
  TrialStore trials_;
  ResultStore results_;
  FitStore fits_;
  WorkerStore workers_;
  ScheduleStore schedules_;
  OutboxStore outbox_;
  MetricsStore metrics_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_STORES_H_
