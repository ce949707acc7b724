#include "results/trial_result.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/proto_time.h"
#include "results/errors.h"
#include "results/merge.h"

namespace scalebench::results {
namespace {

constexpr double kBytesPerKb = 1024;

std::string Worker(const v1::WorkerResult& r) {
  return absl::StrCat("raw[worker ", r.worker_id(), "]");
}

// The estimated spread of the load generators' starts: the latest skew
// minus the earliest, within the sum of their uncertainties.
void SetEstimatedSpread(const std::vector<v1::LoadgenResult>& loadgens,
                        v1::TrialResult* trial) {
  auto skew = [](const v1::LoadgenResult& l) {
    return DurationFromProto(l.start_skew());
  };
  const auto [earliest, latest] = std::minmax_element(
      loadgens.begin(), loadgens.end(),
      [&skew](const v1::LoadgenResult& a, const v1::LoadgenResult& b) {
        return skew(a) < skew(b);
      });
  *trial->mutable_estimated_start_spread() =
      DurationToProto(skew(*latest) - skew(*earliest));
  *trial->mutable_estimated_start_spread_uncertainty() =
      latest == earliest
          ? DurationToProto(absl::ZeroDuration())
          : DurationToProto(
                DurationFromProto(earliest->start_skew_uncertainty()) +
                DurationFromProto(latest->start_skew_uncertainty()));
}

// The spread the balancer's host saw, when it saw the first request of
// every one of at least two load generators.
void SetObservedSpread(const std::vector<v1::WorkerResult>& raw,
                       v1::TrialResult* trial) {
  absl::flat_hash_map<std::string, absl::Time> first;
  for (const v1::WorkerResult& r : raw) {
    for (const v1::ObservedStart& o : r.observed_starts()) {
      first.emplace(o.worker_id(), TimeFromProto(o.first_request()));
    }
  }
  std::optional<absl::Time> earliest, latest;
  int loadgens = 0;
  for (const v1::WorkerResult& r : raw) {
    if (!r.has_loadgen()) continue;
    ++loadgens;
    auto it = first.find(r.worker_id());
    if (it == first.end()) return;  // Not seen: no spread to state.
    if (!earliest.has_value() || it->second < *earliest) earliest = it->second;
    if (!latest.has_value() || it->second > *latest) latest = it->second;
  }
  if (loadgens < 2) return;
  *trial->mutable_observed_start_spread() =
      DurationToProto(*latest - *earliest);
}

}  // namespace

absl::StatusOr<v1::TrialResult> MakeTrialResult(
    const v1::AttemptKey& key, const v1::Configuration& configuration,
    uint32_t repetition, std::vector<v1::WorkerResult> raw) {
  std::sort(raw.begin(), raw.end(),
            [](const v1::WorkerResult& a, const v1::WorkerResult& b) {
              return a.worker_id() < b.worker_id();
            });
  v1::TrialResult trial;
  *trial.mutable_key() = key;
  *trial.mutable_configuration() = configuration;
  trial.set_repetition(repetition);

  std::vector<v1::LoadgenResult> loadgens;
  double requests_per_s = 0;
  double kb_per_s = 0;
  absl::Duration max_skew;
  bool saturated = false;
  for (const v1::WorkerResult& r : raw) {
    if (r.has_failure() || r.loadgen().has_failure()) {
      const v1::Failure& f =
          r.has_failure() ? r.failure() : r.loadgen().failure();
      return absl::FailedPreconditionError(
          absl::StrCat(Worker(r), ": failure is set (", f.reason(),
                       "); a failed attempt has no trial result"));
    }
    if (!r.has_loadgen()) continue;
    const v1::LoadgenResult& l = r.loadgen();
    const absl::Duration duration = DurationFromProto(l.duration());
    if (duration <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Worker(r), ": loadgen.duration ",
                       absl::FormatDuration(duration), " is not positive"));
    }
    const double seconds = absl::ToDoubleSeconds(duration);
    requests_per_s += static_cast<double>(Successes(l)) / seconds;
    kb_per_s += static_cast<double>(l.bytes_received()) / kBytesPerKb / seconds;
    max_skew = std::max(max_skew,
                        absl::AbsDuration(DurationFromProto(l.start_skew())));
    const absl::Duration cpu =
        DurationFromProto(l.cpu_user()) + DurationFromProto(l.cpu_system());
    if (l.cpus_size() > 0 &&
        cpu > kSaturatedCpuFraction * duration * l.cpus_size()) {
      saturated = true;
    }
    loadgens.push_back(l);
  }
  if (loadgens.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "raw: none of the ", raw.size(), " worker results has a loadgen part"));
  }
  absl::StatusOr<v1::LoadgenResult> merged = MergeLoadgenResults(loadgens);
  if (!merged.ok()) return merged.status();
  *trial.mutable_merged() = *std::move(merged);
  trial.set_requests_per_s(requests_per_s);
  trial.set_error_rate(ErrorRate(trial.merged()));
  trial.set_transfer_kb_per_s(kb_per_s);
  *trial.mutable_max_start_skew() = DurationToProto(max_skew);
  SetEstimatedSpread(loadgens, &trial);
  SetObservedSpread(raw, &trial);
  trial.set_loadgen_saturated(saturated);
  for (v1::WorkerResult& r : raw) {
    if (r.environment().nested()) trial.set_nested(true);
    *trial.add_raw() = std::move(r);
  }
  return trial;
}

}  // namespace scalebench::results
