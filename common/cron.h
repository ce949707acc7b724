// A parsed cron schedule ("0 2 * * *" in a time zone): when a nightly
// schedule fires. The coordinator asks it for the next and the latest
// firing; the CLI parses with it to reject a bad --cron before sending.
// Immutable after Parse; copyable; thread-safe.
#ifndef SCALEBENCH_COMMON_CRON_H_
#define SCALEBENCH_COMMON_CRON_H_

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace scalebench {

// Syntax: five fields "minute hour day-of-month month day-of-week", or one
// of the macros @yearly (= @annually, "0 0 1 1 *"), @monthly ("0 0 1 * *"),
// @weekly ("0 0 * * 0"), @daily (= @midnight, "0 0 * * *"), @hourly
// ("0 * * * *"). A field is a comma list of items; an item is `*`, a number,
// a range a-b, or either followed by /step (*/15, 1-20/5, and a/n meaning
// a up to the field's maximum, step n). Ranges: minute 0-59, hour 0-23,
// day-of-month 1-31, month 1-12 or jan-dec, day-of-week 0-7 or sun-sat
// (0 and 7 are Sunday; "sat-sun" means 6-7). Case-insensitive.
//
// Days (Vixie cron): when day-of-month and day-of-week are both restricted,
// a day matches if EITHER matches ("0 0 1 * mon": the 1st and every
// Monday). A field counts as unrestricted when it is `*` or `*/n` as a whole
// ("0 0 */2 * mon" is odd days that are Mondays).
//
// Time zones and DST: the fields describe civil (wall-clock) times in the
// schedule's zone. A matching civil time that a spring-forward gap skips
// fires at the instant the gap ends (Europe/Lisbon 2026-03-29: 01:30 fires
// at 01:00 UTC, when clocks jump from 01:00 WET to 02:00 WEST); several
// skipped times fire once there. A civil time that a fall-back repeats fires
// once, at its first occurrence, and nothing fires during the second pass
// through the repeated hour. So "30 1 * * *" fires exactly once every
// calendar day, across both changes.
class CronSchedule final {
 public:
  // Parses `expression` in the IANA time zone `time_zone` ("" means UTC),
  // loaded from the system tz database (/usr/share/zoneinfo, Debian's
  // tzdata). INVALID_ARGUMENT naming the field and what to fix for bad
  // syntax or out-of-range values; for an expression that can never fire
  // ("0 0 31 2 *"); for an unknown or machine-dependent ("localtime") zone.
  static absl::StatusOr<CronSchedule> Parse(absl::string_view expression,
                                            absl::string_view time_zone);

  // The first firing strictly after `after`. Firings are whole minutes in
  // the zone (or gap ends, see above). Always finite for finite `after`;
  // InfiniteFuture() for infinite `after`. Cost: a few hundred steps at
  // most for ordinary schedules (day, then hour, then minute).
  absl::Time NextAfter(absl::Time after) const;

  // The latest firing at or before `t`; nullopt for an infinite `t`.
  std::optional<absl::Time> LastAtOrBefore(absl::Time t) const;

  // How many firings lie in (after, until], counting at most `cap` (so the
  // result is min(true count, cap)); 0 when until <= after. Costs one
  // NextAfter per firing counted. Use with LastAtOrBefore to learn how many
  // runs were missed and when the latest one was due.
  int64_t CountIn(absl::Time after, absl::Time until, int64_t cap) const;

  // The canonical five-field text: "*/15 * * * *", "0 2 * * 1-5", macros
  // expanded, names as numbers, day-of-week 7 as 0, lists as ranges. Parse
  // of it gives the same schedule.
  const std::string& expression() const { return expression_; }
  // The zone's name ("UTC" when Parse was given "").
  const std::string& time_zone_name() const { return time_zone_name_; }
  const absl::TimeZone& time_zone() const { return zone_; }

 private:
  CronSchedule() = default;

  bool DayMatches(absl::CivilDay day) const;
  // The first matching civil minute >= from / <= from, searching at most one
  // Gregorian cycle (400 years); nullopt when none (never fires).
  std::optional<absl::CivilMinute> NextMatch(absl::CivilMinute from) const;
  std::optional<absl::CivilMinute> PrevMatch(absl::CivilMinute from) const;
  // The instant a matching civil minute fires at (see the DST rules above).
  absl::Time FiringOf(absl::CivilMinute minute) const;

  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // bit 0 unused
  std::bitset<13> months_;         // bit 0 unused
  std::bitset<7> days_of_week_;    // 0 = Sunday
  bool day_of_month_star_ = true;
  bool day_of_week_star_ = true;
  std::string expression_;
  std::string time_zone_name_;
  absl::TimeZone zone_;
};

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_CRON_H_
