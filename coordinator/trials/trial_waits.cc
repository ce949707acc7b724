#include "coordinator/trials/trial_waits.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "api/resource_names.h"

namespace scalebench::coordinator {
namespace {

// "trial 3" of "experiments/exp-000001/trials/3".
std::string ShortName(const std::string& trial_name) {
  absl::StatusOr<api::TrialRef> ref = api::ParseTrialName(trial_name);
  return ref.ok() ? absl::StrCat("trial ", ref->trial) : trial_name;
}

}  // namespace

TrialWaits::TrialWaits(const PlacementRules& rules, LiveHostsFn live_hosts)
    : rules_(rules), live_hosts_(std::move(live_hosts)) {}

const absl::Status& TrialWaits::Never(const v1::Configuration& configuration) {
  auto it = never_.find(configuration.index());
  if (it != never_.end()) return it->second;
  if (!live_.has_value()) live_ = live_hosts_();
  return never_
      .emplace(configuration.index(),
               CheckPlaceableOn(configuration, rules_, *live_))
      .first->second;
}

absl::Status TrialWaits::Blocked(const v1::Trial& trial,
                                 const v1::Configuration& configuration,
                                 const absl::Status& placement) {
  const absl::Status never = Never(configuration);
  blocker_ = ShortName(trial.name());
  blocker_never_ = !never.ok();
  reasons_[trial.name()] =
      never.ok() ? absl::StrCat("waits for busy hosts: ", placement.message())
                 : std::string(never.message());
  return never;
}

void TrialWaits::Behind(const v1::Trial& trial,
                        const v1::Configuration& configuration) {
  const bool unchecked = !never_.contains(configuration.index()) &&
                         never_.size() >= kMaxConfigurationsChecked;
  const absl::Status never =
      unchecked ? absl::OkStatus() : Never(configuration);
  reasons_[trial.name()] =
      !never.ok()
          ? std::string(never.message())
          : absl::StrCat("queued behind ", blocker_,
                         blocker_never_ ? ", which the workers synchronizing "
                                          "now cannot run"
                                        : ", which waits for busy hosts");
}

absl::flat_hash_map<std::string, std::string> TrialWaits::Take() {
  return std::exchange(reasons_, {});
}

}  // namespace scalebench::coordinator
