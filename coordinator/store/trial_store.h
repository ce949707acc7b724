// Trials and their attempts: read and listed in pages, an attempt started
// and ended (with its merged result and the trial's next state in one
// transaction), an adaptive round's trials added, queued trials ended.
// One of the stores over the coordinator's database (stores.h), plus what
// queued trials wait for, which it keeps in memory only (SetWaiting).
// Thread-safe: calls are serialized on the database, and the waits on
// their own mutex.
#ifndef SCALEBENCH_COORDINATOR_STORE_TRIAL_STORE_H_
#define SCALEBENCH_COORDINATOR_STORE_TRIAL_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "coordinator/store/database.h"
#include "coordinator/store/store_rows.h"
#include "google/protobuf/map.h"
#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/coordinator.pb.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::coordinator {

// ListTrialsPage's page size when 0 is asked for, and its cap.
inline constexpr uint32_t kDefaultTrialPageSize = 1000;
inline constexpr uint32_t kMaxTrialPageSize = 1000;

// One page of an experiment's trials.
struct TrialPage {
  // In number order, each with its attempts.
  std::vector<v1::Trial> trials;
  // Empty on the last page.
  std::string next_page_token;
};

class TrialStore final : private StoreBase {
 public:
  using StoreBase::StoreBase;

  // Sets what the experiment's queued trials wait for (trial name ->
  // reason, as the scheduler found on its last pass), replacing what was
  // set for it before; an empty map forgets the experiment. Kept in memory,
  // not in the database: the scheduler repeats it on every pass without a
  // write, and a restarted coordinator's scheduler says it again. Read
  // into Trial.waiting_for of QUEUED trials by ListTrials, ListTrialsPage
  // and GetTrial.
  void SetWaiting(absl::string_view experiment_id,
                  absl::flat_hash_map<std::string, std::string> reasons);

  // The experiment's trials in number order, each with its attempts.
  // NOT_FOUND when the experiment is unknown.
  absl::StatusOr<std::vector<v1::Trial>> ListTrials(
      absl::string_view experiment_id);

  // One page of the experiment's trials in number order, each with its
  // attempts: at most `page_size` (0 means kDefaultTrialPageSize, capped at
  // kMaxTrialPageSize), ending early after kMaxPageBytes. `page_token` is
  // empty for the first page or a previous page's next_page_token.
  // NOT_FOUND when the experiment is unknown, INVALID_ARGUMENT for a token
  // this store did not issue.
  absl::StatusOr<TrialPage> ListTrialsPage(absl::string_view experiment_id,
                                           uint32_t page_size,
                                           absl::string_view page_token);

  // One trial with its attempts. INVALID_ARGUMENT (the name), NOT_FOUND.
  absl::StatusOr<v1::Trial> GetTrial(absl::string_view trial_name);

  // Starts the next attempt of a trial (number 1 + the attempts so far) on
  // `placement` (role to worker name), sets the trial PREPARING, and the
  // experiment RUNNING with its start time if it was PENDING. Appends an
  // event. Returns the attempt. FAILED_PRECONDITION when the trial has
  // ended, its last attempt is still running, or the experiment has ended.
  absl::StatusOr<v1::Attempt> StartAttempt(
      absl::string_view trial_name,
      const google::protobuf::Map<std::string, std::string>& placement);

  // Moves a trial to `state` and appends an event saying `message` (with
  // the trial's merged result when `state` is SUCCEEDED and one is
  // stored). Setting the state it already has is OK and appends nothing.
  // FAILED_PRECONDITION when the trial has ended (SUCCEEDED, FAILED,
  // CANCELLED); INVALID_ARGUMENT for UNSPECIFIED.
  absl::Status SetTrialState(absl::string_view trial_name, v1::TrialState state,
                             absl::string_view message);

  // Ends an attempt: now as its end time, and `failure` (none on success).
  // Appends an event. Idempotent: finishing an attempt that has ended
  // returns OK and changes nothing. NOT_FOUND.
  absl::Status FinishAttempt(const v1::AttemptKey& key,
                             const std::optional<v1::Failure>& failure);

  // Ends attempt `key` and moves its trial on, in one transaction: stores
  // `result` (may be null) as the trial's merged result, ends the attempt
  // with `failure` (none on success), and sets the trial to `next_state`
  // (SUCCEEDED, or after a failure QUEUED for a retry, FAILED or
  // CANCELLED) with `message`. A crash leaves either all of it or none.
  // Idempotent: an attempt that has ended changes nothing and returns OK.
  // INVALID_ARGUMENT when SUCCEEDED does not come with a result and no
  // failure (or the other way round), or the result is another attempt's;
  // NOT_FOUND; FAILED_PRECONDITION when the trial has ended.
  absl::Status EndAttempt(const v1::AttemptKey& key,
                          const std::optional<v1::Failure>& failure,
                          const v1::TrialResult* result,
                          v1::TrialState next_state, absl::string_view message);

  // Ends every QUEUED trial of the experiment that has no running attempt
  // with `trial_state` (CANCELLED or FAILED), then, when `then_experiment`
  // is set and none of its attempts is still running, the experiment with
  // that state and `message`: one transaction and at most two events
  // however many trials there are. Returns how many trials it ended.
  // FAILED_PRECONDITION when the experiment has ended; INVALID_ARGUMENT
  // for a state that is not an end; NOT_FOUND.
  absl::StatusOr<uint32_t> EndQueuedTrials(
      absl::string_view experiment_id, v1::TrialState trial_state,
      std::optional<v1::ExperimentState> then_experiment,
      absl::string_view message);

  // Appends one QUEUED trial for each entry of `configuration_indexes` (an
  // adaptive policy's next round), numbered after the last trial, each the
  // next repetition of its configuration, and appends an event saying
  // `message`. Returns the new trials. FAILED_PRECONDITION when the
  // experiment has ended or is cancelling; INVALID_ARGUMENT for an index
  // the experiment does not have; NOT_FOUND.
  absl::StatusOr<std::vector<v1::Trial>> AddTrials(
      absl::string_view experiment_id,
      const std::vector<uint32_t>& configuration_indexes,
      absl::string_view message);

 private:
  // Sets Trial.waiting_for of each QUEUED trial in `trials` (of
  // `experiment_id`) from what SetWaiting was told.
  void FillWaiting(absl::string_view experiment_id,
                   std::vector<v1::Trial>& trials) const;

  mutable absl::Mutex waiting_mu_;
  // By experiment id, then trial name.
  absl::flat_hash_map<std::string,
                      absl::flat_hash_map<std::string, std::string>>
      waiting_ ABSL_GUARDED_BY(waiting_mu_);

  // Up to `limit` trials of the experiment from number `first` on, with
  // their attempts, in number order; `next` is the number of the trial
  // after them, or -1 when none follows. Inside a read transaction.
  absl::StatusOr<std::vector<v1::Trial>> ReadTrials(
      absl::string_view experiment_id, int64_t first, int64_t limit,
      int64_t* next);
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_TRIAL_STORE_H_
