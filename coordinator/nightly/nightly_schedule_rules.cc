#include "coordinator/nightly/nightly_schedule_rules.h"

#include <limits>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/resource_names.h"
#include "common/cron.h"
#include "common/proto_time.h"
#include "coordinator/nightly/webhook_url.h"
#include "spec/validate.h"

namespace scalebench::coordinator {
namespace {

// More missed firings than this are reported as this many.
constexpr int64_t kMissedCap = std::numeric_limits<uint32_t>::max();

absl::Status Prefixed(absl::string_view field, const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat(field, ": ", status.message()));
}

}  // namespace

absl::Status ValidateSchedule(const v1::Schedule& schedule) {
  if (absl::StatusOr<std::string> id = api::ParseScheduleName(schedule.name());
      !id.ok()) {
    return Prefixed("name", id.status());
  }
  if (!schedule.has_spec()) {
    return absl::InvalidArgumentError("spec: missing; give the spec to run");
  }
  if (absl::Status s = spec::ValidateSpec(schedule.spec()); !s.ok()) {
    return Prefixed("spec", s);
  }
  if (schedule.cron().empty()) {
    return absl::InvalidArgumentError(
        "cron: missing; e.g. \"0 2 * * *\" for 02:00 every day");
  }
  if (absl::StatusOr<CronSchedule> cron =
          CronSchedule::Parse(schedule.cron(), schedule.time_zone());
      !cron.ok()) {
    return cron.status();  // Names cron or time zone itself.
  }
  if (!(schedule.threshold() >= 0 && schedule.threshold() < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("threshold: ", schedule.threshold(),
                     " is not a fraction in [0, 1); 0.03 means 3%"));
  }
  if (!schedule.baseline().empty()) {
    if (absl::StatusOr<std::string> id =
            api::ParseExperimentName(schedule.baseline());
        !id.ok()) {
      return Prefixed("baseline", id.status());
    }
  }
  const std::string& url = schedule.webhook_url();
  if (!url.empty() && !absl::StartsWith(url, "http://") &&
      !absl::StartsWith(url, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("webhook_url: ", RedactedWebhookUrl(url),
                     " is not an http:// or https:// URL"));
  }
  if (absl::StrContains(url, ' ')) {
    return absl::InvalidArgumentError(absl::StrCat(
        "webhook_url: ", RedactedWebhookUrl(url), " contains a space"));
  }
  return absl::OkStatus();
}

double EffectiveThreshold(const v1::Schedule& schedule) {
  return schedule.threshold() > 0 ? schedule.threshold() : kDefaultThreshold;
}

std::optional<absl::Time> NextRunTime(const StoredSchedule& stored) {
  if (stored.schedule.paused()) return std::nullopt;
  absl::StatusOr<CronSchedule> cron =
      CronSchedule::Parse(stored.schedule.cron(), stored.schedule.time_zone());
  if (!cron.ok()) return std::nullopt;
  return cron->NextAfter(stored.last_fire_time);
}

std::optional<DueFiring> FiringDue(const StoredSchedule& stored,
                                   absl::Time now) {
  if (stored.schedule.paused()) return std::nullopt;
  absl::StatusOr<CronSchedule> cron =
      CronSchedule::Parse(stored.schedule.cron(), stored.schedule.time_zone());
  if (!cron.ok()) return std::nullopt;
  if (cron->NextAfter(stored.last_fire_time) > now) return std::nullopt;
  const std::optional<absl::Time> latest = cron->LastAtOrBefore(now);
  if (!latest.has_value() || *latest <= stored.last_fire_time) {
    return std::nullopt;
  }
  DueFiring due;
  due.night = *latest;
  due.missed = static_cast<uint32_t>(
      cron->CountIn(stored.last_fire_time, *latest, kMissedCap) - 1);
  return due;
}

v1::Schedule WithNextRunTime(const StoredSchedule& stored) {
  v1::Schedule schedule = stored.schedule;
  if (std::optional<absl::Time> next = NextRunTime(stored)) {
    *schedule.mutable_next_run_time() = TimeToProto(*next);
  }
  return schedule;
}

}  // namespace scalebench::coordinator
