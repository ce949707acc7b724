#include "coordinator/trials/trial_scheduler.h"

#include <algorithm>
#include <iostream>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "coordinator/trials/conclude.h"
#include "coordinator/trials/placement.h"
#include "coordinator/trials/trial_waits.h"
#include "spec/defaults.h"
#include "spec/grid.h"

namespace scalebench::coordinator {
namespace {

constexpr absl::string_view kWorkerPrefix = "workers/";

void Log(absl::string_view what, const absl::Status& status) {
  std::cerr << "scalebench-coordinator: " << what << ": " << status.message()
            << "\n";
}

bool Ended(v1::TrialState state) {
  return state == v1::TRIAL_STATE_SUCCEEDED ||
         state == v1::TRIAL_STATE_FAILED || state == v1::TRIAL_STATE_CANCELLED;
}

bool Running(const v1::Trial& trial) {
  return trial.attempts_size() > 0 &&
         !trial.attempts(trial.attempts_size() - 1).has_end_time();
}

std::vector<v1::Attempt> Attempts(const v1::Trial& trial) {
  return {trial.attempts().begin(), trial.attempts().end()};
}

// The workers earlier attempts of `trial` failed on: a retry prefers
// others.
absl::flat_hash_set<std::string> FailedHosts(const v1::Trial& trial) {
  absl::flat_hash_set<std::string> hosts;
  for (const v1::Attempt& attempt : trial.attempts()) {
    if (!attempt.has_failure()) continue;
    for (const auto& [role, worker] : attempt.placement()) hosts.insert(worker);
  }
  return hosts;
}

}  // namespace

Scheduler::Scheduler(Stores* store, WorkerRegistry* registry, Clock* clock,
                     SchedulerOptions options)
    : store_(store), registry_(registry), clock_(clock), options_(options) {}

Scheduler::~Scheduler() { Stop(); }

absl::Status Scheduler::Recover() {
  absl::StatusOr<std::vector<std::string>> ids =
      store_->experiments().ListActiveExperimentIds();
  if (!ids.ok()) return ids.status();
  for (const std::string& id : *ids) {
    absl::StatusOr<v1::Experiment> experiment =
        store_->experiments().GetExperiment(id, v1::EXPERIMENT_VIEW_FULL);
    if (!experiment.ok()) return experiment.status();
    absl::StatusOr<std::vector<v1::Trial>> trials =
        store_->trials().ListTrials(id);
    if (!trials.ok()) return trials.status();
    const v1::ExperimentSpec spec = spec::WithDefaults(experiment->spec());
    for (const v1::Trial& trial : *trials) {
      if (!Running(trial)) continue;
      const v1::Attempt& attempt = trial.attempts(trial.attempts_size() - 1);
      v1::AttemptKey key;
      key.set_trial(trial.name());
      key.set_attempt(attempt.number());
      absl::StatusOr<std::optional<v1::TrialResult>> merged =
          MergeIfComplete(key, attempt,
                          experiment->configurations(
                              static_cast<int>(trial.configuration_index())),
                          trial.repetition(), *store_);
      if (!merged.ok()) return merged.status();
      absl::Status s;
      if (merged->has_value()) {
        s = store_->trials().EndAttempt(
            key, std::nullopt, &**merged, v1::TRIAL_STATE_SUCCEEDED,
            absl::StrFormat("%s succeeded (its results were complete when "
                            "the coordinator restarted): %.0f requests/s",
                            AttemptLabel(key), (*merged)->requests_per_s()));
      } else {
        v1::Failure failure;
        failure.set_kind(v1::FAILURE_KIND_COORDINATOR_RESTARTED);
        failure.set_reason(
            "the coordinator restarted before the attempt's results were "
            "all stored");
        const v1::TrialState next =
            AfterFailure(failure, Attempts(trial), spec.retry().max_attempts());
        s = store_->trials().EndAttempt(
            key, failure, nullptr, next,
            absl::StrCat(AttemptLabel(key),
                         " failed (coordinator_restarted): ", failure.reason(),
                         next == v1::TRIAL_STATE_QUEUED
                             ? "; retrying on a fresh placement"
                             : "; the trial failed"));
      }
      if (!s.ok()) return s;
    }
  }
  // Workers recorded busy by the previous coordinator are free once they
  // report idle; the store's status follows what the scheduler does now.
  absl::StatusOr<std::vector<v1::Worker>> workers =
      store_->workers().ListWorkers();
  if (!workers.ok()) return workers.status();
  for (const v1::Worker& worker : *workers) {
    if (worker.status() != v1::WORKER_STATUS_BUSY) continue;
    absl::Status s = store_->workers().SetWorkerStatus(
        std::string(absl::StripPrefix(worker.name(), kWorkerPrefix)),
        v1::WORKER_STATUS_IDLE);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

std::vector<CandidateHost> Scheduler::FreeHosts() const {
  std::vector<CandidateHost> free;
  for (const WorkerInfo& info : registry_->List()) {
    // Known only from the store, lost, or still busy with something.
    if (info.session_id.empty() || info.lost || !info.current.has_idle()) {
      continue;
    }
    bool reserved = false;
    for (const auto& [trial, run] : runs_) {
      if (run->placement().Includes(info.worker_id)) {
        reserved = true;
        break;
      }
    }
    if (!reserved) free.push_back({info.worker_id, info.facts});
  }
  return free;
}

bool Scheduler::HasRunningAttempt(const std::string& experiment_id) const {
  for (const auto& [trial, experiment] : run_experiment_) {
    if (experiment == experiment_id) return true;
  }
  return false;
}

void Scheduler::RunOnce() {
  absl::MutexLock lock(&pass_mu_);
  registry_->ExpireLost(clock_->Wall());
  const absl::flat_hash_set<std::string> restarted = registry_->TakeRestarted();

  // Which experiments are being cancelled (or ended under a run).
  absl::flat_hash_map<std::string, bool> cancelled;
  for (const auto& [trial, experiment_id] : run_experiment_) {
    if (cancelled.contains(experiment_id)) continue;
    absl::StatusOr<v1::Experiment> experiment =
        store_->experiments().GetExperiment(experiment_id,
                                            v1::EXPERIMENT_VIEW_BASIC);
    cancelled[experiment_id] =
        experiment.ok() &&
        (experiment->state() == v1::EXPERIMENT_STATE_CANCELLING ||
         experiment->state() == v1::EXPERIMENT_STATE_CANCELLED ||
         experiment->state() == v1::EXPERIMENT_STATE_FAILED);
  }
  for (auto it = runs_.begin(); it != runs_.end();) {
    AttemptRun& run = *it->second;
    const bool was_done = run.done();
    if (absl::Status s =
            run.Step(restarted, cancelled[run_experiment_[it->first]]);
        !s.ok()) {
      Log(run.key().trial(), s);
    }
    if (run.done() && !was_done) {
      for (const HostRoles& host : run.placement().hosts) {
        if (absl::Status s = store_->workers().SetWorkerStatus(
                host.worker_id, v1::WORKER_STATUS_IDLE);
            !s.ok()) {
          Log(host.worker_id, s);
        }
      }
      run_experiment_.erase(it->first);
      runs_.erase(it++);
      continue;
    }
    ++it;
  }

  absl::StatusOr<std::vector<std::string>> ids =
      store_->experiments().ListActiveExperimentIds();
  if (!ids.ok()) {
    Log("listing experiments", ids.status());
    return;
  }
  std::vector<CandidateHost> free = FreeHosts();
  for (const std::string& id : *ids) {
    if (absl::Status s = Schedule(id, free); !s.ok()) Log(id, s);
  }
  // Forget what was noted of experiments that have ended.
  const absl::flat_hash_set<std::string> active(ids->begin(), ids->end());
  absl::erase_if(waiting_, [&](const auto& entry) {
    return !active.contains(entry.first);
  });
  absl::erase_if(placeable_,
                 [&](const std::string& id) { return !active.contains(id); });
  absl::erase_if(trials_waiting_, [&](const std::string& id) {
    if (active.contains(id)) return false;
    store_->trials().SetWaiting(id, {});
    return true;
  });
}

absl::Status Scheduler::Schedule(const std::string& experiment_id,
                                 std::vector<CandidateHost>& free) {
  absl::StatusOr<v1::Experiment> experiment =
      store_->experiments().GetExperiment(experiment_id,
                                          v1::EXPERIMENT_VIEW_FULL);
  if (!experiment.ok()) return experiment.status();
  absl::StatusOr<std::vector<v1::Trial>> trials =
      store_->trials().ListTrials(experiment_id);
  if (!trials.ok()) return trials.status();

  if (experiment->state() == v1::EXPERIMENT_STATE_CANCELLING) {
    return CancelQueued(*experiment);
  }
  // After a restart, what the store says it waits for is what to clear.
  if (!experiment->waiting_for().empty()) {
    waiting_.try_emplace(experiment_id, experiment->waiting_for());
  }
  const v1::ExperimentSpec spec = spec::WithDefaults(experiment->spec());
  const PlacementRules rules = PlacementRules::FromSpec(spec);
  if (options_.closed_cluster) {
    absl::StatusOr<bool> failed = FailIfNeverPlaceable(*experiment, rules);
    if (!failed.ok()) return failed.status();
    if (*failed) return absl::OkStatus();
  }
  bool all_ended = true;
  // Why each queued trial is not placed this pass, by trial name; filled
  // only once a trial could not be placed (CheckPlaceableOn per
  // configuration at most once).
  TrialWaits waits(rules, [this] { return registry_->LiveHosts(); });
  // What the experiment waits for, once a trial could not be placed;
  // recorded after the trials' reasons, so that a watch that sees the
  // experiment's event finds them.
  std::optional<std::string> experiment_waits;
  for (const v1::Trial& trial : *trials) {
    if (!Ended(trial.state())) all_ended = false;
    if (trial.state() != v1::TRIAL_STATE_QUEUED || Running(trial)) continue;
    if (runs_.contains(trial.name())) continue;
    const v1::Configuration& configuration = experiment->configurations(
        static_cast<int>(trial.configuration_index()));
    if (waits.blocked()) {
      // Later trials may need fewer hosts, but they keep their order.
      waits.Behind(trial, configuration);
      continue;
    }
    if (absl::Status s = CheckPlaceable(configuration); !s.ok()) {
      absl::Status failed = store_->trials().SetTrialState(
          trial.name(), v1::TRIAL_STATE_FAILED,
          absl::StrCat(trial.name(), " cannot be placed: ", s.message()));
      if (!failed.ok()) return failed;
      continue;
    }
    absl::StatusOr<Placement> placement =
        PlaceTrial(configuration, rules, free, FailedHosts(trial));
    if (!placement.ok()) {
      const absl::Status never =
          waits.Blocked(trial, configuration, placement.status());
      // Busy hosts free up by themselves; say so only when no live host
      // could take the trial even when idle. (A closed cluster fails
      // what it can never place, above; there it waits only for its own
      // worker to start or to free up.)
      if (!options_.closed_cluster) {
        experiment_waits = never.ok() ? ""
                                      : absl::StrCat("trial ", trial.name(),
                                                     ": ", never.message());
      }
      continue;
    }
    SetWaiting(experiment_id, "");
    absl::StatusOr<v1::Attempt> attempt =
        store_->trials().StartAttempt(trial.name(), placement->Roles());
    if (!attempt.ok()) return attempt.status();
    for (const HostRoles& host : placement->hosts) {
      if (absl::Status s = store_->workers().SetWorkerStatus(
              host.worker_id, v1::WORKER_STATUS_BUSY);
          !s.ok()) {
        Log(host.worker_id, s);
      }
      free.erase(std::remove_if(free.begin(), free.end(),
                                [&](const CandidateHost& c) {
                                  return c.worker_id == host.worker_id;
                                }),
                 free.end());
    }
    v1::AttemptKey key;
    key.set_trial(trial.name());
    key.set_attempt(attempt->number());
    std::vector<v1::Attempt> attempts = Attempts(trial);
    attempts.push_back(*attempt);
    runs_[trial.name()] = std::make_unique<AttemptRun>(
        key, spec, configuration, trial.repetition(), *std::move(placement),
        std::move(attempts), store_, registry_, clock_, options_.attempt);
    run_experiment_[trial.name()] = experiment_id;
  }
  absl::flat_hash_map<std::string, std::string> reasons = waits.Take();
  if (reasons.empty()) {
    trials_waiting_.erase(experiment_id);
  } else {
    trials_waiting_.insert(experiment_id);
  }
  store_->trials().SetWaiting(experiment_id, std::move(reasons));
  if (experiment_waits.has_value())
    SetWaiting(experiment_id, *experiment_waits);
  if (all_ended && !HasRunningAttempt(experiment_id)) {
    return Conclude(*experiment, *trials);
  }
  return absl::OkStatus();
}

absl::Status Scheduler::CancelQueued(const v1::Experiment& experiment) {
  const std::string id(absl::StripPrefix(experiment.name(), "experiments/"));
  // One transaction for all queued trials; the experiment ends with it
  // unless an attempt is still being torn down (a later pass ends it).
  std::optional<v1::ExperimentState> then;
  if (!HasRunningAttempt(id)) then = v1::EXPERIMENT_STATE_CANCELLED;
  return store_->trials()
      .EndQueuedTrials(id, v1::TRIAL_STATE_CANCELLED, then,
                       "cancelled by request")
      .status();
}

absl::StatusOr<bool> Scheduler::FailIfNeverPlaceable(
    const v1::Experiment& experiment, const PlacementRules& rules) {
  const std::string id(absl::StripPrefix(experiment.name(), "experiments/"));
  if (placeable_.contains(id)) return false;
  const std::vector<CandidateHost> live = registry_->LiveHosts();
  if (live.empty()) return false;  // The embedded worker is still starting.
  const std::vector<v1::Configuration> grid(experiment.configurations().begin(),
                                            experiment.configurations().end());
  const std::vector<std::string> never =
      UnplaceableConfigurations(grid, rules, live);
  if (!never.empty()) {
    // The first configuration that cannot run says why.
    absl::StatusOr<uint32_t> ended = store_->trials().EndQueuedTrials(
        id, v1::TRIAL_STATE_FAILED, v1::EXPERIMENT_STATE_FAILED,
        absl::StrCat("cannot run here: ", never.front()));
    if (!ended.ok()) return ended.status();
    return true;
  }
  placeable_.insert(id);
  return false;
}

void Scheduler::SetWaiting(const std::string& experiment_id,
                           const std::string& reason) {
  auto it = waiting_.find(experiment_id);
  const std::string before = it == waiting_.end() ? "" : it->second;
  if (before == reason) return;
  if (absl::Status s =
          store_->experiments().SetExperimentWaiting(experiment_id, reason);
      !s.ok()) {
    Log(experiment_id, s);
    return;  // Tried again on the next pass.
  }
  if (!reason.empty()) {
    std::cerr << "scalebench-coordinator: experiments/" << experiment_id
              << " waits: " << reason << "\n";
    waiting_[experiment_id] = reason;
  } else {
    waiting_.erase(experiment_id);
  }
}

absl::Status Scheduler::Conclude(const v1::Experiment& experiment,
                                 const std::vector<v1::Trial>& trials) {
  return ConcludeExperiment(experiment, trials, *store_);
}

void Scheduler::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Wake() {
  absl::MutexLock lock(&wake_mu_);
  woken_ = true;
}

void Scheduler::Stop() {
  {
    absl::MutexLock lock(&wake_mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&wake_mu_);
      // The wait is a poll period, not timing logic: deadlines are read
      // on clock_ by the attempts.
      wake_mu_.AwaitWithTimeout(
          absl::Condition(
              +[](Scheduler* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->wake_mu_) {
                return s->woken_ || s->stop_;
              },
              this),
          options_.tick);
      if (stop_) return;
      woken_ = false;
    }
    RunOnce();
  }
}

size_t Scheduler::TEST_RunningAttempts() const {
  absl::MutexLock lock(&pass_mu_);
  return runs_.size();
}

}  // namespace scalebench::coordinator
