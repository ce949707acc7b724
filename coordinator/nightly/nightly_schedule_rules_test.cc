#include "coordinator/nightly/nightly_schedule_rules.h"

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/spec_yaml.h"

namespace scalebench::coordinator {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi),
                         absl::UTCTimeZone());
}

v1::Schedule Valid() {
  absl::StatusOr<v1::ExperimentSpec> spec = spec::ParseSpecYaml(
      "name: n\nloadgen:\n  duration: 1s\nsweep:\n  instances: [1, 2]\n", "t");
  EXPECT_TRUE(spec.ok()) << spec.status();
  v1::Schedule schedule;
  schedule.set_name("schedules/nightly");
  *schedule.mutable_spec() = spec.value_or(v1::ExperimentSpec());
  schedule.set_cron("0 2 * * *");
  return schedule;
}

StoredSchedule Stored(absl::Time last_fire_time, const std::string& cron,
                      const std::string& time_zone = "") {
  StoredSchedule stored;
  stored.schedule = Valid();
  stored.schedule.set_cron(cron);
  stored.schedule.set_time_zone(time_zone);
  stored.last_fire_time = last_fire_time;
  return stored;
}

TEST(ScheduleRulesTest, AcceptsAValidSchedule) {
  EXPECT_TRUE(ValidateSchedule(Valid()).ok());
  v1::Schedule full = Valid();
  full.set_time_zone("Europe/Lisbon");
  full.set_threshold(0.05);
  full.set_baseline("experiments/exp-000007");
  full.set_webhook_url("https://chat.example/hooks/abc");
  EXPECT_TRUE(ValidateSchedule(full).ok()) << ValidateSchedule(full);
}

TEST(ScheduleRulesTest, NamesTheFieldThatIsWrong) {
  struct Case {
    void (*spoil)(v1::Schedule*);
    const char* field;
  };
  const Case cases[] = {
      {[](v1::Schedule* s) { s->set_name("nightly"); }, "name: "},
      {[](v1::Schedule* s) { s->clear_spec(); }, "spec: missing"},
      {[](v1::Schedule* s) { s->mutable_spec()->set_name(""); }, "spec: "},
      {[](v1::Schedule* s) { s->set_cron(""); }, "cron: missing"},
      {[](v1::Schedule* s) { s->set_cron("0 25 * * *"); }, "hour"},
      {[](v1::Schedule* s) { s->set_time_zone("Europe/Lisbn"); }, "Lisbn"},
      {[](v1::Schedule* s) { s->set_threshold(3); }, "threshold: 3"},
      {[](v1::Schedule* s) { s->set_threshold(-0.1); }, "threshold: "},
      {[](v1::Schedule* s) { s->set_baseline("exp-000007"); }, "baseline: "},
      {[](v1::Schedule* s) { s->set_webhook_url("chat.example/x"); },
       "webhook_url: (url #"},
  };
  for (const Case& c : cases) {
    v1::Schedule schedule = Valid();
    c.spoil(&schedule);
    absl::Status status = ValidateSchedule(schedule);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(status.message(), HasSubstr(c.field));
  }
}

TEST(ScheduleRulesTest, TheDefaultThresholdIsThreePercent) {
  v1::Schedule schedule = Valid();
  EXPECT_EQ(EffectiveThreshold(schedule), 0.03);
  schedule.set_threshold(0.1);
  EXPECT_EQ(EffectiveThreshold(schedule), 0.1);
}

TEST(ScheduleRulesTest, NothingIsDueBeforeTheNextFiring) {
  const StoredSchedule stored = Stored(Utc(2027, 1, 1, 0), "0 2 * * *");
  EXPECT_EQ(NextRunTime(stored), Utc(2027, 1, 1, 2));
  EXPECT_FALSE(FiringDue(stored, Utc(2027, 1, 1, 1, 59)).has_value());
  std::optional<DueFiring> due = FiringDue(stored, Utc(2027, 1, 1, 2));
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(due->night, Utc(2027, 1, 1, 2));
  EXPECT_EQ(due->missed, 0u);
}

// Down from Friday evening to Monday 03:00: the nights of Saturday and
// Sunday are folded into Monday's, which runs once.
TEST(ScheduleRulesTest, FiringsMissedWhileDownFoldIntoTheLatest) {
  const StoredSchedule stored = Stored(Utc(2027, 1, 1, 2), "0 2 * * *");
  std::optional<DueFiring> due = FiringDue(stored, Utc(2027, 1, 4, 3));
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(due->night, Utc(2027, 1, 4, 2));
  EXPECT_EQ(due->missed, 2u);
}

// 02:00 in Lisbon is 02:00 UTC in winter (WET) and 01:00 UTC in summer
// (WEST).
TEST(ScheduleRulesTest, FiresInTheSchedulesTimeZone) {
  EXPECT_EQ(
      NextRunTime(Stored(Utc(2027, 1, 10, 12), "0 2 * * *", "Europe/Lisbon")),
      Utc(2027, 1, 11, 2));
  EXPECT_EQ(
      NextRunTime(Stored(Utc(2027, 7, 10, 12), "0 2 * * *", "Europe/Lisbon")),
      Utc(2027, 7, 11, 1));
}

TEST(ScheduleRulesTest, APausedScheduleHasNoNextRun) {
  StoredSchedule stored = Stored(Utc(2027, 1, 1, 0), "0 2 * * *");
  stored.schedule.set_paused(true);
  EXPECT_FALSE(NextRunTime(stored).has_value());
  EXPECT_FALSE(FiringDue(stored, Utc(2027, 2, 1, 0)).has_value());
  EXPECT_FALSE(WithNextRunTime(stored).has_next_run_time());
  stored.schedule.set_paused(false);
  EXPECT_TRUE(WithNextRunTime(stored).has_next_run_time());
}

}  // namespace
}  // namespace scalebench::coordinator
