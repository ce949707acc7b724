#include "common/cron.h"

#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// An instant given as UTC wall-clock fields; expected values below are
// worked out by hand from the zones' offsets (zdump -v), never by the code
// under test.
absl::Time Utc(int year, int month, int day, int hour, int minute = 0,
               int second = 0) {
  return absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second),
      absl::UTCTimeZone());
}

CronSchedule MustParse(absl::string_view expression,
                       absl::string_view zone = "") {
  absl::StatusOr<CronSchedule> schedule = CronSchedule::Parse(expression, zone);
  EXPECT_TRUE(schedule.ok()) << schedule.status();
  if (!schedule.ok()) std::abort();
  return *schedule;
}

// The next `n` firings after `start`.
std::vector<absl::Time> Firings(const CronSchedule& schedule, absl::Time start,
                                int n) {
  std::vector<absl::Time> firings;
  absl::Time t = start;
  for (int i = 0; i < n; ++i) {
    t = schedule.NextAfter(t);
    firings.push_back(t);
  }
  return firings;
}

std::string ParseError(absl::string_view expression,
                       absl::string_view zone = "") {
  absl::StatusOr<CronSchedule> schedule = CronSchedule::Parse(expression, zone);
  if (schedule.ok()) return "parsed as " + schedule->expression();
  EXPECT_EQ(schedule.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(schedule.status().message());
}

TEST(CronParseTest, ErrorsNameTheFieldAndWhatIsWrong) {
  EXPECT_EQ(ParseError("0 25 * * *"),
            "cron: field 2 (hour) \"25\": out of range 0-23");
  EXPECT_EQ(ParseError("60 * * * *"),
            "cron: field 1 (minute) \"60\": out of range 0-59");
  EXPECT_EQ(ParseError("0 0 0 * *"),
            "cron: field 3 (day-of-month) \"0\": out of range 1-31");
  EXPECT_EQ(ParseError("0 0 1 1,13 *"),
            "cron: field 4 (month) \"1,13\": 13 is out of range 1-12");
  EXPECT_EQ(ParseError("0 0 * * 8"),
            "cron: field 5 (day-of-week) \"8\": out of range 0-7");
  EXPECT_EQ(ParseError("0 0 * * mon-fry"),
            "cron: field 5 (day-of-week) \"mon-fry\": unknown name \"fry\" "
            "(use 0-7 or sun-sat)");
  EXPECT_EQ(ParseError("0 0 * foo *"),
            "cron: field 4 (month) \"foo\": unknown name \"foo\" "
            "(use 1-12 or jan-dec)");
  EXPECT_EQ(ParseError("x * * * *"),
            "cron: field 1 (minute) \"x\": \"x\" is not a number (use 0-59)");
  EXPECT_EQ(ParseError("*/0 * * * *"),
            "cron: field 1 (minute) \"*/0\": step 0 must be 1-60");
  EXPECT_EQ(ParseError("*/x * * * *"),
            "cron: field 1 (minute) \"*/x\": step \"x\" is not a whole number");
  EXPECT_EQ(ParseError("0 5-3 * * *"),
            "cron: field 2 (hour) \"5-3\": range 5-3 runs backwards (start "
            "after end); split it, e.g. 5-23,0-3");
  EXPECT_EQ(ParseError("1,,2 * * * *"),
            "cron: field 1 (minute) \"1,,2\": empty list item (check the "
            "commas)");
  EXPECT_EQ(ParseError("0 1- * * *"),
            "cron: field 2 (hour) \"1-\": missing a value (before or after - "
            "or /)");
  EXPECT_EQ(ParseError("0 2 * *"),
            "cron: expected 5 fields (minute hour day-of-month month "
            "day-of-week) or a macro such as @daily, got 4 in \"0 2 * *\"");
  EXPECT_THAT(ParseError(""), HasSubstr("got 0"));
  EXPECT_THAT(ParseError("0 2 * * * *"), HasSubstr("got 6"));
  EXPECT_EQ(ParseError("@reboot"),
            "cron: unknown macro \"@reboot\" (known: @yearly @annually "
            "@monthly @weekly @daily @midnight @hourly)");
}

TEST(CronParseTest, UnknownTimeZoneSaysWhatNamesAreAccepted) {
  EXPECT_EQ(ParseError("0 2 * * *", "Europe/Lisbn"),
            "time zone \"Europe/Lisbn\": unknown (names are IANA tz database "
            "names such as Europe/Lisbon; see /usr/share/zoneinfo)");
  EXPECT_THAT(ParseError("0 2 * * *", "localtime"),
              HasSubstr("depends on the machine"));
  EXPECT_EQ(MustParse("0 2 * * *", "").time_zone_name(), "UTC");
  EXPECT_EQ(MustParse("0 2 * * *", "Europe/Lisbon").time_zone_name(),
            "Europe/Lisbon");
}

TEST(CronParseTest, ExpressionsThatNeverFireAreRejected) {
  EXPECT_EQ(ParseError("0 0 31 2 *"),
            "cron: \"0 0 31 2 *\" never fires: no date has day-of-month "
            "\"31\" in month \"2\" (check day-of-month against the month's "
            "length)");
  EXPECT_THAT(ParseError("0 0 30,31 feb *"), HasSubstr("never fires"));
  EXPECT_THAT(ParseError("0 0 31 apr,jun,sep,nov *"), HasSubstr("never fires"));
  // Feb 29 exists, and with a weekday restriction too the OR rule applies.
  EXPECT_TRUE(CronSchedule::Parse("0 0 29 2 *", "").ok());
  EXPECT_TRUE(CronSchedule::Parse("0 0 31 2 mon", "").ok());
}

TEST(CronParseTest, CanonicalTextExpandsMacrosNamesAndSteps) {
  EXPECT_EQ(MustParse("@yearly").expression(), "0 0 1 1 *");
  EXPECT_EQ(MustParse("@annually").expression(), "0 0 1 1 *");
  EXPECT_EQ(MustParse("@monthly").expression(), "0 0 1 * *");
  EXPECT_EQ(MustParse("@weekly").expression(), "0 0 * * 0");
  EXPECT_EQ(MustParse("@daily").expression(), "0 0 * * *");
  EXPECT_EQ(MustParse("@MIDNIGHT").expression(), "0 0 * * *");
  EXPECT_EQ(MustParse("@hourly").expression(), "0 * * * *");
  EXPECT_EQ(MustParse("  0   2 * * *  ").expression(), "0 2 * * *");
  EXPECT_EQ(MustParse("0 9 * JAN,Mar-may MON-FRI").expression(),
            "0 9 * 1,3-5 1-5");
  EXPECT_EQ(MustParse("0 0 * * 7").expression(), "0 0 * * 0");
  EXPECT_EQ(MustParse("0 0 * * sat-sun").expression(), "0 0 * * 0,6");
  EXPECT_EQ(MustParse("0 0 * * 5-7").expression(), "0 0 * * 0,5-6");
  EXPECT_EQ(MustParse("*/15 * * * *").expression(), "*/15 * * * *");
  EXPECT_EQ(MustParse("0-59/15 */1 * * *").expression(), "0,15,30,45 * * * *");
  EXPECT_EQ(MustParse("10-30/10 1-23/11 * * *").expression(),
            "10,20,30 1,12,23 * * *");
  EXPECT_EQ(MustParse("50/5 0 * * *").expression(), "50,55 0 * * *");
  EXPECT_EQ(MustParse("0-59 0-23 1-31 1-12 0-7").expression(),
            "* * 1-31 * 0-6");
  // The canonical text parses to itself.
  for (const char* text : {"*/15 * * * *", "0 9 * jan,mar-may mon-fri",
                           "0 0 */2 * mon", "0 0 1-31 * 0-7"}) {
    const std::string canonical = MustParse(text).expression();
    EXPECT_EQ(MustParse(canonical).expression(), canonical) << text;
  }
}

TEST(CronNextTest, EveryQuarterHour) {
  const CronSchedule schedule = MustParse("*/15 * * * *");
  EXPECT_THAT(Firings(schedule, Utc(2026, 12, 31, 23, 20, 5), 4),
              ElementsAre(Utc(2026, 12, 31, 23, 30), Utc(2026, 12, 31, 23, 45),
                          Utc(2027, 1, 1, 0, 0), Utc(2027, 1, 1, 0, 15)));
  // Strictly after: a firing time itself moves on to the next.
  EXPECT_EQ(schedule.NextAfter(Utc(2026, 5, 1, 10, 15)),
            Utc(2026, 5, 1, 10, 30));
  EXPECT_EQ(schedule.NextAfter(Utc(2026, 5, 1, 10, 14, 59)),
            Utc(2026, 5, 1, 10, 15));
}

TEST(CronNextTest, NightlyInUtc) {
  const CronSchedule schedule = MustParse("0 2 * * *", "UTC");
  EXPECT_THAT(
      Firings(schedule, Utc(2026, 2, 27, 2, 0), 3),
      ElementsAre(Utc(2026, 2, 28, 2), Utc(2026, 3, 1, 2), Utc(2026, 3, 2, 2)));
}

TEST(CronNextTest, NightlyInLisbonFollowsSummerTime) {
  // Lisbon is UTC+0 (WET) in winter and UTC+1 (WEST) from 2026-03-29 01:00
  // UTC to 2026-10-25 01:00 UTC: 02:00 local is 02:00 or 01:00 UTC.
  const CronSchedule schedule = MustParse("0 2 * * *", "Europe/Lisbon");
  EXPECT_THAT(Firings(schedule, Utc(2026, 3, 27, 12), 3),
              ElementsAre(Utc(2026, 3, 28, 2), Utc(2026, 3, 29, 1),
                          Utc(2026, 3, 30, 1)));
  EXPECT_THAT(Firings(schedule, Utc(2026, 10, 23, 12), 3),
              ElementsAre(Utc(2026, 10, 24, 1), Utc(2026, 10, 25, 2),
                          Utc(2026, 10, 26, 2)));
  EXPECT_EQ(schedule.NextAfter(Utc(2026, 7, 14, 23)), Utc(2026, 7, 15, 1));
}

TEST(CronNextTest, LeapDayWaitsForTheNextLeapYear) {
  const CronSchedule schedule = MustParse("0 0 29 2 *");
  EXPECT_EQ(schedule.NextAfter(Utc(2026, 3, 1, 0)), Utc(2028, 2, 29, 0));
  // 2100 is no leap year.
  EXPECT_EQ(schedule.NextAfter(Utc(2096, 3, 1, 0)), Utc(2104, 2, 29, 0));
}

TEST(CronNextTest, WeekdaysSkipTheWeekend) {
  // 2026-11-27 is a Friday.
  const CronSchedule schedule = MustParse("0 9 * * mon-fri");
  EXPECT_THAT(Firings(schedule, Utc(2026, 11, 27, 8), 3),
              ElementsAre(Utc(2026, 11, 27, 9), Utc(2026, 11, 30, 9),
                          Utc(2026, 12, 1, 9)));
}

TEST(CronNextTest, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  // The 1st, and every Monday (2026-11-30, 12-07); Tuesday 12-01 is the 1st.
  EXPECT_THAT(Firings(MustParse("0 0 1 * mon"), Utc(2026, 11, 24, 0), 4),
              ElementsAre(Utc(2026, 11, 30, 0), Utc(2026, 12, 1, 0),
                          Utc(2026, 12, 7, 0), Utc(2026, 12, 14, 0)));
  // Day-of-week `*`: day-of-month alone decides.
  EXPECT_THAT(Firings(MustParse("0 0 1 * *"), Utc(2026, 11, 24, 0), 2),
              ElementsAre(Utc(2026, 12, 1, 0), Utc(2027, 1, 1, 0)));
  // Day-of-month `*/2` counts as unrestricted: odd days that are Mondays
  // (2026-11-30 is even; 2026-12-07 is odd).
  EXPECT_THAT(Firings(MustParse("0 0 */2 * mon"), Utc(2026, 11, 24, 0), 2),
              ElementsAre(Utc(2026, 12, 7, 0), Utc(2026, 12, 21, 0)));
  // 1-31 is restricted: every day of the month OR Monday = every day.
  EXPECT_EQ(MustParse("0 0 1-31 * mon").NextAfter(Utc(2026, 12, 1, 0)),
            Utc(2026, 12, 2, 0));
}

// The first minute after `after` that `matches`, found the slow way: every
// UTC minute in turn. An independent reference for NextAfter in UTC.
absl::Time BruteForceNext(
    absl::Time after, const std::function<bool(absl::CivilMinute)>& matches) {
  absl::Time t = absl::FromCivil(
      absl::ToCivilMinute(after, absl::UTCTimeZone()) + 1, absl::UTCTimeZone());
  for (int i = 0; i < 400 * 24 * 60; ++i, t += absl::Minutes(1)) {
    if (matches(absl::ToCivilMinute(t, absl::UTCTimeZone()))) return t;
  }
  return absl::InfiniteFuture();
}

int CronWeekday(absl::CivilMinute m) {
  return (static_cast<int>(absl::GetWeekday(absl::CivilDay(m))) + 1) % 7;
}

TEST(CronNextTest, AgreesWithAMinuteByMinuteScan) {
  struct Case {
    const char* expression;
    std::function<bool(absl::CivilMinute)> matches;
  };
  const std::vector<Case> cases = {
      {"5,35 */6 1-10 * mon",
       [](absl::CivilMinute m) {
         return (m.minute() == 5 || m.minute() == 35) && m.hour() % 6 == 0 &&
                (m.day() <= 10 || CronWeekday(m) == 1);
       }},
      {"*/7 9-17 * * 1-5",
       [](absl::CivilMinute m) {
         return m.minute() % 7 == 0 && m.hour() >= 9 && m.hour() <= 17 &&
                CronWeekday(m) >= 1 && CronWeekday(m) <= 5;
       }},
      {"0 0 */2 * sat-sun",
       [](absl::CivilMinute m) {
         return m.minute() == 0 && m.hour() == 0 && m.day() % 2 == 1 &&
                (CronWeekday(m) == 6 || CronWeekday(m) == 0);
       }},
      {"30 */5 15 jan,jul *",
       [](absl::CivilMinute m) {
         return m.minute() == 30 && m.hour() % 5 == 0 && m.day() == 15 &&
                (m.month() == 1 || m.month() == 7);
       }},
  };
  for (const Case& c : cases) {
    const CronSchedule schedule = MustParse(c.expression);
    for (int i = 0; i < 25; ++i) {
      const absl::Time after =
          Utc(2026, 1, 1, 0) + absl::Minutes(7919 * i) + absl::Seconds(13 * i);
      EXPECT_EQ(schedule.NextAfter(after), BruteForceNext(after, c.matches))
          << c.expression << " after " << after;
    }
  }
}

TEST(CronDstTest, LisbonGapAndOverlapFireOncePerDay) {
  // Lisbon skips 01:00-01:59 on 2026-03-29 (01:00 UTC: 01:00 WET -> 02:00
  // WEST) and repeats it on 2026-10-25 (01:00 UTC: 02:00 WEST -> 01:00 WET).
  const CronSchedule schedule = MustParse("30 1 * * *", "Europe/Lisbon");
  EXPECT_THAT(Firings(schedule, Utc(2026, 3, 27, 12), 3),
              ElementsAre(Utc(2026, 3, 28, 1, 30),    // 01:30 WET
                          Utc(2026, 3, 29, 1, 0),     // gap ends
                          Utc(2026, 3, 30, 0, 30)));  // 01:30 WEST
  EXPECT_THAT(Firings(schedule, Utc(2026, 10, 23, 12), 3),
              ElementsAre(Utc(2026, 10, 24, 0, 30),    // 01:30 WEST
                          Utc(2026, 10, 25, 0, 30),    // first 01:30
                          Utc(2026, 10, 26, 1, 30)));  // 01:30 WET
  // During the second pass through 01:xx, the day's firing is behind us.
  EXPECT_EQ(schedule.NextAfter(Utc(2026, 10, 25, 1, 10)),
            Utc(2026, 10, 26, 1, 30));
}

TEST(CronDstTest, NewYorkGapAndOverlapFireOncePerDay) {
  // New York skips 02:00-02:59 on 2026-03-08 (07:00 UTC: 02:00 EST -> 03:00
  // EDT) and repeats 01:00-01:59 on 2026-11-01 (06:00 UTC: 02:00 EDT ->
  // 01:00 EST). EST is UTC-5, EDT UTC-4.
  EXPECT_THAT(Firings(MustParse("30 2 * * *", "America/New_York"),
                      Utc(2026, 3, 6, 12), 3),
              ElementsAre(Utc(2026, 3, 7, 7, 30),    // 02:30 EST
                          Utc(2026, 3, 8, 7, 0),     // gap ends, 03:00 EDT
                          Utc(2026, 3, 9, 6, 30)));  // 02:30 EDT
  EXPECT_THAT(Firings(MustParse("30 1 * * *", "America/New_York"),
                      Utc(2026, 10, 30, 12), 3),
              ElementsAre(Utc(2026, 10, 31, 5, 30),   // 01:30 EDT
                          Utc(2026, 11, 1, 5, 30),    // first 01:30 (EDT)
                          Utc(2026, 11, 2, 6, 30)));  // 01:30 EST
}

TEST(CronDstTest, SubDailySchedulesCollapseTheGapAndSkipTheRepeat) {
  const CronSchedule schedule = MustParse("*/30 * * * *", "Europe/Lisbon");
  // 00:30 WET, then 01:00 and 01:30 (skipped) and 02:00 WEST all fire once
  // at 01:00 UTC, then 02:30 WEST.
  EXPECT_THAT(Firings(schedule, Utc(2026, 3, 29, 0, 10), 3),
              ElementsAre(Utc(2026, 3, 29, 0, 30), Utc(2026, 3, 29, 1, 0),
                          Utc(2026, 3, 29, 1, 30)));
  // 01:00 and 01:30 WEST fire; their repeats in WET do not; 02:00 WET does.
  EXPECT_THAT(Firings(schedule, Utc(2026, 10, 24, 23, 50), 4),
              ElementsAre(Utc(2026, 10, 25, 0, 0), Utc(2026, 10, 25, 0, 30),
                          Utc(2026, 10, 25, 2, 0), Utc(2026, 10, 25, 2, 30)));
}

TEST(CronLastTest, LatestFiringAtOrBefore) {
  const CronSchedule nightly = MustParse("0 2 * * *");
  EXPECT_EQ(nightly.LastAtOrBefore(Utc(2026, 11, 30, 1, 59)),
            Utc(2026, 11, 29, 2));
  EXPECT_EQ(nightly.LastAtOrBefore(Utc(2026, 11, 30, 2)), Utc(2026, 11, 30, 2));
  EXPECT_EQ(MustParse("0 0 29 2 *").LastAtOrBefore(Utc(2027, 6, 1, 0)),
            Utc(2024, 2, 29, 0));
  EXPECT_EQ(MustParse("0 9 * * mon-fri").LastAtOrBefore(Utc(2026, 11, 29, 12)),
            Utc(2026, 11, 27, 9));  // Sunday -> Friday
  EXPECT_EQ(nightly.LastAtOrBefore(absl::InfiniteFuture()), std::nullopt);
}

TEST(CronLastTest, LatestFiringInsideARepeatedHourIsItsFirstOccurrence) {
  // 01:10 UTC on 2026-10-25 is the second 01:10 in Lisbon (WET); 01:30
  // already fired at 00:30 UTC (its first occurrence, WEST).
  const CronSchedule schedule = MustParse("30 1 * * *", "Europe/Lisbon");
  EXPECT_EQ(schedule.LastAtOrBefore(Utc(2026, 10, 25, 1, 10)),
            Utc(2026, 10, 25, 0, 30));
  EXPECT_EQ(schedule.LastAtOrBefore(Utc(2026, 10, 25, 0, 29)),
            Utc(2026, 10, 24, 0, 30));
  // On the gap day the firing is 01:00 UTC.
  EXPECT_EQ(schedule.LastAtOrBefore(Utc(2026, 3, 29, 1, 0)),
            Utc(2026, 3, 29, 1, 0));
}

TEST(CronCountTest, CountsFiringsInTheHalfOpenIntervalUpToACap) {
  const CronSchedule nightly = MustParse("0 2 * * *");
  // (Jan 1 02:00, Jan 11 02:00] holds Jan 2 .. Jan 11: 10 firings.
  EXPECT_EQ(nightly.CountIn(Utc(2026, 1, 1, 2), Utc(2026, 1, 11, 2), 100), 10);
  EXPECT_EQ(nightly.CountIn(Utc(2026, 1, 1, 2), Utc(2026, 1, 11, 1), 100), 9);
  EXPECT_EQ(nightly.CountIn(Utc(2026, 1, 1, 2), Utc(2026, 1, 11, 2), 3), 3);
  EXPECT_EQ(nightly.CountIn(Utc(2026, 1, 11, 2), Utc(2026, 1, 1, 2), 100), 0);
  EXPECT_EQ(nightly.CountIn(Utc(2026, 1, 1, 2), Utc(2026, 1, 1, 2), 100), 0);
  // Lisbon across both DST changes: one firing per calendar day of 2026.
  EXPECT_EQ(MustParse("30 1 * * *", "Europe/Lisbon")
                .CountIn(Utc(2025, 12, 31, 12), Utc(2026, 12, 31, 12), 1000),
            365);
  EXPECT_EQ(MustParse("30 2 * * *", "America/New_York")
                .CountIn(Utc(2025, 12, 31, 12), Utc(2026, 12, 31, 12), 1000),
            365);
}

}  // namespace
}  // namespace scalebench
