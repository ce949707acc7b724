#include "coordinator/trials/conclude.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "coordinator/trials/fit_models.h"
#include "coordinator/trials/trial_order.h"
#include "results/repetitions.h"
#include "results/trial_result.h"

namespace scalebench::coordinator {
namespace {

bool IsLoadgenRole(absl::string_view role) {
  return absl::StartsWith(role, "loadgen/");
}

}  // namespace

absl::StatusOr<std::optional<v1::TrialResult>> MergeIfComplete(
    const v1::AttemptKey& key, const v1::Attempt& attempt,
    const v1::Configuration& configuration, uint32_t repetition,
    Stores& store) {
  absl::StatusOr<std::vector<v1::WorkerResult>> results =
      store.results().ListWorkerResults(key);
  if (!results.ok()) return results.status();
  std::vector<v1::WorkerResult> raw;
  for (const auto& [role, worker] : attempt.placement()) {
    if (!IsLoadgenRole(role)) continue;
    const v1::WorkerResult* found = nullptr;
    for (const v1::WorkerResult& result : *results) {
      if (result.worker_id() == worker) found = &result;
    }
    if (found == nullptr || found->has_failure()) {
      return std::optional<v1::TrialResult>();
    }
    raw.push_back(*found);
  }
  if (raw.empty()) return std::optional<v1::TrialResult>();
  absl::StatusOr<v1::TrialResult> merged =
      results::MakeTrialResult(key, configuration, repetition, std::move(raw));
  if (!merged.ok()) return merged.status();
  return std::optional<v1::TrialResult>(*std::move(merged));
}

absl::StatusOr<bool> AddAdaptiveRound(const v1::Experiment& experiment,
                                      const std::vector<v1::Trial>& trials,
                                      Stores& store) {
  const v1::RepetitionPolicy& policy = experiment.spec().repetitions();
  if (!policy.has_adaptive()) return false;
  const std::string id(absl::StripPrefix(experiment.name(), "experiments/"));
  absl::flat_hash_set<uint32_t> failing;
  uint32_t rounds = 0;
  for (const v1::Trial& trial : trials) {
    rounds = std::max(rounds, trial.repetition() + 1);
    if (trial.state() == v1::TRIAL_STATE_FAILED) {
      failing.insert(trial.configuration_index());
    }
  }
  absl::StatusOr<std::vector<v1::TrialResult>> measured =
      store.results().ListTrialResults(id);
  if (!measured.ok()) return measured.status();
  absl::StatusOr<std::vector<results::ConfigurationSummary>> summaries =
      results::SummarizeByConfiguration(*measured);
  if (!summaries.ok()) return summaries.status();
  std::vector<uint32_t> more;
  std::vector<std::string> reasons;
  for (const results::ConfigurationSummary& c : *summaries) {
    // A configuration that failed ends the experiment failed; more runs
    // of it would not change that.
    if (failing.contains(c.configuration.index())) continue;
    absl::StatusOr<results::AdaptiveDecision> decision =
        results::DecideAdaptive(policy.adaptive(), c.summary);
    if (!decision.ok()) return decision.status();
    if (decision->enough) continue;
    more.push_back(c.configuration.index());
    reasons.push_back(absl::StrCat("configuration ", c.configuration.index(),
                                   ": ", decision->reason));
  }
  if (more.empty()) return false;
  // One more repetition of each, in the experiment's order for this round.
  const absl::StatusOr<std::vector<TrialPlan>> order =
      PlanTrials(static_cast<uint32_t>(more.size()), 1,
                 experiment.spec().order(), experiment.seed() + rounds);
  if (!order.ok()) return order.status();
  std::vector<uint32_t> ordered;
  for (const TrialPlan& plan : *order) {
    ordered.push_back(more[plan.configuration_index]);
  }
  absl::StatusOr<std::vector<v1::Trial>> added = store.trials().AddTrials(
      id, ordered,
      absl::StrCat("round ", rounds + 1, ": ", more.size(),
                   " configurations need another repetition (",
                   absl::StrJoin(reasons, "; "), ")"));
  if (!added.ok()) return added.status();
  return true;
}

absl::Status ConcludeExperiment(const v1::Experiment& experiment,
                                const std::vector<v1::Trial>& trials,
                                Stores& store) {
  const std::string id(absl::StripPrefix(experiment.name(), "experiments/"));
  absl::StatusOr<bool> another_round =
      AddAdaptiveRound(experiment, trials, store);
  if (!another_round.ok()) return another_round.status();
  if (*another_round) return absl::OkStatus();
  int failed = 0;
  int cancelled = 0;
  for (const v1::Trial& trial : trials) {
    failed += trial.state() == v1::TRIAL_STATE_FAILED;
    cancelled += trial.state() == v1::TRIAL_STATE_CANCELLED;
  }
  if (cancelled > 0) {
    return store.experiments().SetExperimentState(
        id, v1::EXPERIMENT_STATE_CANCELLED, "cancelled by request");
  }
  // The spec's models over whatever was measured, failed trials or not.
  absl::StatusOr<std::vector<v1::TrialResult>> measured =
      store.results().ListTrialResults(id);
  if (!measured.ok()) return measured.status();
  if (absl::Status s = store.fits().ReplaceFits(
          id, FitSpecModels(experiment.spec(), *measured));
      !s.ok()) {
    return s;
  }
  if (failed > 0) {
    return store.experiments().SetExperimentState(
        id, v1::EXPERIMENT_STATE_FAILED,
        failed == static_cast<int>(trials.size())
            ? absl::StrCat("all ", failed,
                           " trials failed after their retries; see "
                           "`scalebench status` for why")
            : absl::StrCat(failed, " of ", trials.size(),
                           " trials failed after their retries; the "
                           "other results are stored"));
  }
  return store.experiments().SetExperimentState(
      id, v1::EXPERIMENT_STATE_SUCCEEDED,
      absl::StrCat("all ", trials.size(), " trials succeeded"));
}

}  // namespace scalebench::coordinator
