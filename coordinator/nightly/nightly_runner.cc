#include "coordinator/nightly/nightly_runner.h"

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/resource_names.h"
#include "coordinator/nightly/nightly_judge.h"
#include "coordinator/nightly/nightly_schedule_rules.h"
#include "coordinator/trials/random_seed.h"

namespace scalebench::coordinator {

NightlyRunner::NightlyRunner(Stores* store, Clock* clock,
                             NightlyRunnerOptions options)
    : store_(store), clock_(clock), options_(options) {}

NightlyRunner::~NightlyRunner() { Stop(); }

void NightlyRunner::RunOnce() {
  FireDueSchedules();
  JudgeEndedRuns();
}

void NightlyRunner::FireDueSchedules() {
  absl::StatusOr<std::vector<StoredSchedule>> schedules =
      store_->schedules().ListSchedules();
  if (!schedules.ok()) {
    std::cerr << "scalebench-coordinator: schedules: " << schedules.status()
              << "\n";
    return;
  }
  const absl::Time now = clock_->Wall();
  for (const StoredSchedule& stored : *schedules) {
    const std::optional<DueFiring> due = FiringDue(stored, now);
    if (!due.has_value()) continue;
    Firing firing;
    firing.night = due->night;
    firing.missed_firings = due->missed;
    firing.seed = RandomSeed();
    const std::string& name = stored.schedule.name();
    absl::StatusOr<v1::ScheduleRun> run = store_->schedules().FireSchedule(
        api::ParseScheduleName(name).value_or(""), firing);
    if (!run.ok()) {
      std::cerr << "scalebench-coordinator: " << name << ": " << run.status()
                << "\n";
      continue;
    }
    const std::string missed =
        run->missed_firings() == 0
            ? ""
            : absl::StrFormat(" (%d earlier firings missed while down)",
                              run->missed_firings());
    if (run->experiment().empty()) {
      std::cerr << "scalebench-coordinator: " << name << ": skipped the run of "
                << absl::FormatTime(due->night) << ": " << run->skip_reason()
                << missed << "\n";
    } else {
      std::cerr << "scalebench-coordinator: " << name << ": started "
                << run->experiment() << " for " << absl::FormatTime(due->night)
                << missed << "\n";
    }
  }
}

void NightlyRunner::JudgeEndedRuns() {
  absl::StatusOr<std::vector<UnjudgedRun>> runs =
      store_->schedules().ListUnjudgedRuns();
  if (!runs.ok()) {
    std::cerr << "scalebench-coordinator: scheduled runs: " << runs.status()
              << "\n";
    return;
  }
  for (const UnjudgedRun& run : *runs) {
    absl::StatusOr<Judgement> judgement = JudgeRun(*store_, run);
    absl::Status stored =
        judgement.ok() ? store_->schedules().JudgeRun(
                             run.schedule_id, run.seq, judgement->verdict,
                             judgement->detail, judgement->notifications)
                       : judgement.status();
    if (!stored.ok()) {
      std::cerr << "scalebench-coordinator: judging " << run.run.experiment()
                << ": " << stored << "\n";
      continue;
    }
    std::cerr << "scalebench-coordinator: " << run.run.schedule() << ": "
              << run.run.experiment() << ": " << judgement->verdict
              << (judgement->detail.empty() ? "" : ": ") << judgement->detail
              << "\n";
  }
}

void NightlyRunner::Start() {
  // A poll period, not timing logic: when to fire is read off clock_.
  loop_.Start(options_.tick, [this] { RunOnce(); });
}

void NightlyRunner::Stop() { loop_.Stop(); }

}  // namespace scalebench::coordinator
