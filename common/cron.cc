#include "common/cron.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace scalebench {
namespace {

// The Gregorian calendar, weekdays included, repeats every 400 years
// (146097 days, exactly 20871 weeks): a day pattern that matches no day in
// one cycle matches none ever, and one that matches does so in every cycle.
constexpr int kGregorianCycleDays = 146097;

constexpr absl::string_view kFieldList =
    "minute hour day-of-month month day-of-week";

constexpr std::array<absl::string_view, 12> kMonthNames = {
    "jan", "feb", "mar", "apr", "may", "jun",
    "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<absl::string_view, 7> kDayNames = {
    "sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldSpec {
  int number;              // 1-based position, for messages
  absl::string_view name;  // for messages
  int min;
  int max;       // highest value accepted (7 for day-of-week)
  int star_max;  // what `*` spans (6 for day-of-week: 7 repeats Sunday)
  const absl::string_view* names;  // value names, or nullptr
  int name_count;
  int first_named_value;  // the value of names[0]
};

constexpr FieldSpec kMinute = {1, "minute", 0, 59, 59, nullptr, 0, 0};
constexpr FieldSpec kHour = {2, "hour", 0, 23, 23, nullptr, 0, 0};
constexpr FieldSpec kDayOfMonth = {3, "day-of-month", 1, 31, 31, nullptr, 0, 0};
constexpr FieldSpec kMonth = {4, "month", 1, 12, 12, kMonthNames.data(), 12, 1};
constexpr FieldSpec kDayOfWeek = {5, "day-of-week",    0, 7,
                                  6, kDayNames.data(), 7, 0};

struct ParsedField {
  uint64_t bits = 0;  // bit v set when value v is selected
  bool star = false;  // the field is `*` or `*/n` as a whole
  int star_step = 1;  // n of `*/n`
};

absl::Status FieldError(const FieldSpec& spec, absl::string_view text,
                        absl::string_view detail) {
  return absl::InvalidArgumentError(absl::StrCat("cron: field ", spec.number,
                                                 " (", spec.name, ") \"", text,
                                                 "\": ", detail));
}

std::string RangeText(const FieldSpec& spec) {
  std::string text = absl::StrCat(spec.min, "-", spec.max);
  if (spec.names != nullptr) {
    absl::StrAppend(&text, " or ", spec.names[0], "-",
                    spec.names[spec.name_count - 1]);
  }
  return text;
}

// Parses one value of `spec`: a number in its range or one of its names.
// `field` is the whole field text, for messages.
absl::StatusOr<int> ParseValue(const FieldSpec& spec, absl::string_view field,
                               absl::string_view token) {
  if (token.empty()) {
    return FieldError(spec, field, "missing a value (before or after - or /)");
  }
  if (absl::ascii_isdigit(static_cast<unsigned char>(token[0]))) {
    int value = 0;
    for (char c : token) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return FieldError(spec, field,
                          absl::StrCat("\"", token, "\" is not a number"));
      }
      if (value > 1000) break;  // out of range anyway; avoids overflow
      value = value * 10 + (c - '0');
    }
    if (value < spec.min || value > spec.max) {
      if (token == field) {
        return FieldError(
            spec, field,
            absl::StrCat("out of range ", spec.min, "-", spec.max));
      }
      return FieldError(
          spec, field,
          absl::StrCat(token, " is out of range ", spec.min, "-", spec.max));
    }
    return value;
  }
  for (int i = 0; i < spec.name_count; ++i) {
    if (token == spec.names[i]) return spec.first_named_value + i;
  }
  if (spec.names == nullptr) {
    return FieldError(spec, field,
                      absl::StrCat("\"", token, "\" is not a number (use ",
                                   RangeText(spec), ")"));
  }
  return FieldError(
      spec, field,
      absl::StrCat("unknown name \"", token, "\" (use ", RangeText(spec), ")"));
}

absl::StatusOr<ParsedField> ParseField(const FieldSpec& spec,
                                       absl::string_view field) {
  ParsedField parsed;
  for (absl::string_view item : absl::StrSplit(field, ',')) {
    if (item.empty()) {
      return FieldError(spec, field, "empty list item (check the commas)");
    }
    const std::vector<absl::string_view> base_and_step =
        absl::StrSplit(item, '/');
    if (base_and_step.size() > 2) {
      return FieldError(spec, field,
                        absl::StrCat("\"", item, "\" has more than one /"));
    }
    const absl::string_view base = base_and_step[0];
    int step = 1;
    if (base_and_step.size() == 2) {
      const absl::string_view step_text = base_and_step[1];
      if (step_text.empty() || step_text.size() > 3 ||
          !std::all_of(step_text.begin(), step_text.end(), [](char c) {
            return absl::ascii_isdigit(static_cast<unsigned char>(c));
          })) {
        return FieldError(
            spec, field,
            absl::StrCat("step \"", step_text, "\" is not a whole number"));
      }
      step = std::stoi(std::string(step_text));
      const int width = spec.star_max - spec.min + 1;
      if (step < 1 || step > width) {
        return FieldError(spec, field,
                          absl::StrCat("step ", step, " must be 1-", width));
      }
    }
    int lo = 0;
    int hi = 0;
    if (base == "*") {
      lo = spec.min;
      hi = spec.star_max;
      if (item == field) {
        parsed.star = true;
        parsed.star_step = step;
      }
    } else if (absl::StrContains(base, '-')) {
      const std::vector<absl::string_view> ends = absl::StrSplit(base, '-');
      if (ends.size() != 2) {
        return FieldError(spec, field,
                          absl::StrCat("\"", base, "\" is not a range a-b"));
      }
      auto first = ParseValue(spec, field, ends[0]);
      if (!first.ok()) return first.status();
      auto last = ParseValue(spec, field, ends[1]);
      if (!last.ok()) return last.status();
      lo = *first;
      hi = *last;
      // "sat-sun", "fri-sun": Sunday closes a range as 7.
      if (&spec == &kDayOfWeek && hi == 0 && lo > 0 && ends[1] == "sun") {
        hi = 7;
      }
      if (lo > hi) {
        return FieldError(
            spec, field,
            absl::StrCat("range ", base,
                         " runs backwards (start after end); split it, e.g. ",
                         lo, "-", spec.max, ",", spec.min, "-", hi));
      }
    } else {
      auto value = ParseValue(spec, field, base);
      if (!value.ok()) return value.status();
      lo = *value;
      // "a/n" steps from a up to the field's maximum.
      hi = base_and_step.size() == 2 ? std::max(lo, spec.star_max) : lo;
    }
    for (int v = lo; v <= hi; v += step) parsed.bits |= uint64_t{1} << v;
  }
  if (&spec == &kDayOfWeek && (parsed.bits & (uint64_t{1} << 7)) != 0) {
    parsed.bits = (parsed.bits & ~(uint64_t{1} << 7)) | 1;  // 7 is Sunday
  }
  return parsed;
}

uint64_t Span(int lo, int hi) {
  uint64_t bits = 0;
  for (int v = lo; v <= hi; ++v) bits |= uint64_t{1} << v;
  return bits;
}

// The field as canonical text. `star_matters`: whether `*` differs from the
// full list (day-of-month and day-of-week, under the Vixie day rule).
std::string CanonicalField(const FieldSpec& spec, const ParsedField& field,
                           bool star_matters) {
  if (field.star) {
    return field.star_step == 1 ? "*" : absl::StrCat("*/", field.star_step);
  }
  if (!star_matters && field.bits == Span(spec.min, spec.star_max)) return "*";
  std::vector<std::string> runs;
  for (int v = spec.min; v <= spec.star_max; ++v) {
    if ((field.bits & (uint64_t{1} << v)) == 0) continue;
    int end = v;
    while (end + 1 <= spec.star_max &&
           (field.bits & (uint64_t{1} << (end + 1))) != 0) {
      ++end;
    }
    runs.push_back(end == v ? absl::StrCat(v) : absl::StrCat(v, "-", end));
    v = end;
  }
  return absl::StrJoin(runs, ",");
}

absl::StatusOr<std::string> ExpandMacro(absl::string_view macro) {
  if (macro == "@yearly" || macro == "@annually") return "0 0 1 1 *";
  if (macro == "@monthly") return "0 0 1 * *";
  if (macro == "@weekly") return "0 0 * * 0";
  if (macro == "@daily" || macro == "@midnight") return "0 0 * * *";
  if (macro == "@hourly") return "0 * * * *";
  return absl::InvalidArgumentError(absl::StrCat(
      "cron: unknown macro \"", macro,
      "\" (known: @yearly @annually @monthly @weekly @daily @midnight "
      "@hourly)"));
}

absl::StatusOr<absl::TimeZone> LoadZone(absl::string_view name) {
  absl::TimeZone zone;
  if (name == "localtime") {
    return absl::InvalidArgumentError(
        "time zone \"localtime\": depends on the machine; name the zone "
        "(an IANA tz database name such as Europe/Lisbon, or UTC)");
  }
  if (!absl::LoadTimeZone(name, &zone)) {
    return absl::InvalidArgumentError(
        absl::StrCat("time zone \"", name,
                     "\": unknown (names are IANA tz database names such as "
                     "Europe/Lisbon; see /usr/share/zoneinfo)"));
  }
  return zone;
}

}  // namespace

absl::StatusOr<CronSchedule> CronSchedule::Parse(absl::string_view expression,
                                                 absl::string_view time_zone) {
  std::string text =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(expression));
  if (absl::StartsWith(text, "@")) {
    auto expanded = ExpandMacro(text);
    if (!expanded.ok()) return expanded.status();
    text = *std::move(expanded);
  }
  const std::vector<absl::string_view> fields =
      absl::StrSplit(text, absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
  if (fields.size() != 5) {
    return absl::InvalidArgumentError(
        absl::StrCat("cron: expected 5 fields (", kFieldList,
                     ") or a macro such as @daily, got ", fields.size(),
                     " in \"", expression, "\""));
  }
  const std::array<const FieldSpec*, 5> specs = {&kMinute, &kHour, &kDayOfMonth,
                                                 &kMonth, &kDayOfWeek};
  std::array<ParsedField, 5> parsed;
  for (int i = 0; i < 5; ++i) {
    auto field = ParseField(*specs[i], fields[i]);
    if (!field.ok()) return field.status();
    parsed[i] = *field;
  }

  CronSchedule schedule;
  schedule.minutes_ = std::bitset<60>(parsed[0].bits);
  schedule.hours_ = std::bitset<24>(parsed[1].bits);
  schedule.days_of_month_ = std::bitset<32>(parsed[2].bits);
  schedule.months_ = std::bitset<13>(parsed[3].bits);
  schedule.days_of_week_ = std::bitset<7>(parsed[4].bits);
  schedule.day_of_month_star_ = parsed[2].star;
  schedule.day_of_week_star_ = parsed[4].star;
  schedule.expression_ =
      absl::StrJoin({CanonicalField(kMinute, parsed[0], false),
                     CanonicalField(kHour, parsed[1], false),
                     CanonicalField(kDayOfMonth, parsed[2], true),
                     CanonicalField(kMonth, parsed[3], false),
                     CanonicalField(kDayOfWeek, parsed[4], true)},
                    " ");

  const absl::string_view zone_name = time_zone.empty() ? "UTC" : time_zone;
  auto zone = LoadZone(zone_name);
  if (!zone.ok()) return zone.status();
  schedule.zone_ = *zone;
  schedule.time_zone_name_ = std::string(zone_name);

  if (!schedule.NextMatch(absl::CivilMinute(2001, 1, 1)).has_value()) {
    std::string days = absl::StrCat("day-of-month \"", fields[2],
                                    "\" in month \"", fields[3], "\"");
    if (!schedule.day_of_week_star_ || parsed[4].star_step != 1) {
      absl::StrAppend(&days, " on day-of-week \"", fields[4], "\"");
    }
    return absl::InvalidArgumentError(
        absl::StrCat("cron: \"", expression, "\" never fires: no date has ",
                     days, " (check day-of-month against the month's length)"));
  }
  return schedule;
}

bool CronSchedule::DayMatches(absl::CivilDay day) const {
  // absl::Weekday counts from Monday = 0; cron from Sunday = 0.
  const int weekday = (static_cast<int>(absl::GetWeekday(day)) + 1) % 7;
  const bool dom = days_of_month_[day.day()];
  const bool dow = days_of_week_[weekday];
  if (day_of_month_star_ || day_of_week_star_) return dom && dow;
  return dom || dow;
}

std::optional<absl::CivilMinute> CronSchedule::NextMatch(
    absl::CivilMinute from) const {
  absl::CivilDay day(from);
  int first_hour = from.hour();
  int first_minute = from.minute();
  const absl::CivilDay limit = day + kGregorianCycleDays;
  while (day <= limit) {
    if (!months_[day.month()]) {
      day = absl::CivilDay(absl::CivilMonth(day) + 1);
      first_hour = first_minute = 0;
      continue;
    }
    if (DayMatches(day)) {
      for (int h = first_hour; h < 24; ++h) {
        if (!hours_[h]) continue;
        for (int m = h == first_hour ? first_minute : 0; m < 60; ++m) {
          if (minutes_[m]) {
            return absl::CivilMinute(day.year(), day.month(), day.day(), h, m);
          }
        }
      }
    }
    ++day;
    first_hour = first_minute = 0;
  }
  return std::nullopt;
}

std::optional<absl::CivilMinute> CronSchedule::PrevMatch(
    absl::CivilMinute from) const {
  absl::CivilDay day(from);
  int last_hour = from.hour();
  int last_minute = from.minute();
  const absl::CivilDay limit = day - kGregorianCycleDays;
  while (day >= limit) {
    if (!months_[day.month()]) {
      day = absl::CivilDay(absl::CivilMonth(day)) - 1;
      last_hour = 23;
      last_minute = 59;
      continue;
    }
    if (DayMatches(day)) {
      for (int h = last_hour; h >= 0; --h) {
        if (!hours_[h]) continue;
        for (int m = h == last_hour ? last_minute : 59; m >= 0; --m) {
          if (minutes_[m]) {
            return absl::CivilMinute(day.year(), day.month(), day.day(), h, m);
          }
        }
      }
    }
    --day;
    last_hour = 23;
    last_minute = 59;
  }
  return std::nullopt;
}

absl::Time CronSchedule::FiringOf(absl::CivilMinute minute) const {
  const absl::TimeZone::TimeInfo info = zone_.At(absl::CivilSecond(minute));
  // SKIPPED: the gap's end. REPEATED: `pre` uses the offset before the
  // fall-back, i.e. the first occurrence. UNIQUE: pre == post.
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

absl::Time CronSchedule::NextAfter(absl::Time after) const {
  if (after == absl::InfiniteFuture() || after == absl::InfinitePast()) {
    return absl::InfiniteFuture();
  }
  // Civil minutes map to firings in non-decreasing order, and every minute
  // up to `after`'s own maps to a firing <= after. Later minutes inside a
  // repeated hour can still map to <= after (their first occurrence), so
  // keep looking past those.
  absl::CivilMinute from = absl::CivilMinute(zone_.At(after).cs) + 1;
  while (true) {
    const std::optional<absl::CivilMinute> match = NextMatch(from);
    if (!match.has_value()) return absl::InfiniteFuture();  // Parse rejects
    const absl::Time firing = FiringOf(*match);
    if (firing > after) return firing;
    from = *match + 1;
  }
}

std::optional<absl::Time> CronSchedule::LastAtOrBefore(absl::Time t) const {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) {
    return std::nullopt;
  }
  const std::optional<absl::CivilMinute> match =
      PrevMatch(absl::CivilMinute(zone_.At(t).cs));
  if (!match.has_value()) return std::nullopt;
  // A firing <= t; inside a repeated hour a later civil minute can also fire
  // at or before t (at its first occurrence), so step forward to the last.
  absl::Time latest = FiringOf(*match);
  while (true) {
    const absl::Time next = NextAfter(latest);
    if (next > t) return latest;
    latest = next;
  }
}

int64_t CronSchedule::CountIn(absl::Time after, absl::Time until,
                              int64_t cap) const {
  int64_t count = 0;
  absl::Time t = after;
  while (count < cap && t < until) {
    t = NextAfter(t);
    if (t > until) break;
    ++count;
  }
  return count;
}

}  // namespace scalebench
