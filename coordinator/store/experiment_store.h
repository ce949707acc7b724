// Experiments: created from a spec (with their configurations and
// trials), read with their progress, listed in pages, moved from state to
// state, and their event log. One of the stores over the coordinator's
// database (stores.h). Thread-safe: calls are serialized on the database.
#ifndef SCALEBENCH_COORDINATOR_STORE_EXPERIMENT_STORE_H_
#define SCALEBENCH_COORDINATOR_STORE_EXPERIMENT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "coordinator/store/database.h"
#include "coordinator/store/store_rows.h"
#include "scalebench/v1/common.pb.h"
#include "scalebench/v1/coordinator.pb.h"
#include "scalebench/v1/results.pb.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::coordinator {

// ListExperiments' page size when 0 is asked for, and its cap.
inline constexpr uint32_t kDefaultPageSize = 50;
inline constexpr uint32_t kMaxPageSize = 500;

// One page of ListExperiments.
struct ExperimentPage {
  // Newest first.
  std::vector<v1::Experiment> experiments;
  // Empty on the last page.
  std::string next_page_token;
};

class ExperimentStore final : private StoreBase {
 public:
  using StoreBase::StoreBase;

  // Stores a new experiment in state PENDING with id "exp-NNNNNN" (the
  // next number, from 1): `spec` as submitted, `spec_source` (its YAML,
  // may be empty), `seed` (the seed actually used to order trials), its
  // grid (spec::ExpandGrid of spec::WithDefaults), and its trials:
  // configurations x repetitions (the fixed count, or an adaptive
  // policy's minimum), numbered from 0 in the order they run — sequential:
  // grid order with repetitions adjacent; randomized: round by round, each
  // round one repetition of every configuration shuffled with `seed`.
  // Appends event 1. Returns the experiment in FULL view.
  //
  // Idempotent on a non-empty `request_id`: a spec equal to the one first
  // stored with it returns that experiment unchanged; a different one is
  // ALREADY_EXISTS. INVALID_ARGUMENT when `spec` is not valid.
  absl::StatusOr<v1::Experiment> CreateExperiment(
      const v1::ExperimentSpec& spec, absl::string_view spec_source,
      absl::string_view request_id, uint64_t seed);

  // One experiment with its progress; BASIC (and UNSPECIFIED) leave out
  // spec_source and configurations. NOT_FOUND.
  absl::StatusOr<v1::Experiment> GetExperiment(absl::string_view experiment_id,
                                               v1::ExperimentView view);

  // Experiments newest first. `page_size` 0 means kDefaultPageSize, and it
  // is capped at kMaxPageSize; a page also ends after kMaxPageBytes.
  // `page_token` is empty or a previous page's next_page_token;
  // INVALID_ARGUMENT otherwise. A non-empty `schedule_id` keeps only the
  // experiments that schedule started.
  absl::StatusOr<ExperimentPage> ListExperiments(
      uint32_t page_size, absl::string_view page_token, v1::ExperimentView view,
      absl::string_view schedule_id = "");

  // Moves an experiment to `state` with `status_message`; RUNNING sets the
  // start time if unset, SUCCEEDED, FAILED and CANCELLED the end time.
  // Appends an event. Setting the state it already has is OK and appends
  // nothing. FAILED_PRECONDITION when the experiment has ended;
  // INVALID_ARGUMENT for UNSPECIFIED; NOT_FOUND.
  absl::Status SetExperimentState(absl::string_view experiment_id,
                                  v1::ExperimentState state,
                                  absl::string_view status_message);

  // The experiment's events with a sequence greater than `after_sequence`,
  // in order. NOT_FOUND when the experiment is unknown.
  absl::StatusOr<std::vector<v1::ExperimentEvent>> Events(
      absl::string_view experiment_id, uint64_t after_sequence);

  // The ids of experiments not yet ended (PENDING, RUNNING, CANCELLING),
  // oldest first.
  absl::StatusOr<std::vector<std::string>> ListActiveExperimentIds();

  // Records what the experiment's next trial waits for ("no worker
  // offers platform xen ..."), or that it waits for nothing (empty), in
  // Experiment.waiting_for. A new non-empty reason appends an event saying
  // it; the same reason again, or clearing, appends none. OK and nothing
  // changed when the experiment has ended. NOT_FOUND.
  absl::Status SetExperimentWaiting(absl::string_view experiment_id,
                                    absl::string_view reason);
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_EXPERIMENT_STORE_H_
