// Numbers as a person reads them in tables, progress lines and the report:
// no e-notation, thousands grouped, and as many digits as carry meaning
// ("48,062", "776", "12.4", "0.0123"), and durations in the unit that
// suits them ("84 µs", "1.25 ms", "3.4 s").
#ifndef SCALEBENCH_COMMON_NUMBER_TEXT_H_
#define SCALEBENCH_COMMON_NUMBER_TEXT_H_

#include <string>

#include "absl/time/time.h"

namespace scalebench {

// `value` with at least three significant digits, and no decimals once it
// reaches 100 or when it is a whole number: 48061.5 -> "48,062", 776.19 ->
// "776", 12.43 -> "12.4", 1.2345 -> "1.23", 0.012345 -> "0.0123", 4 ->
// "4", 0 -> "0", -1500 -> "-1,500".
// NaN is "nan" and infinities "inf" / "-inf".
std::string ReadableNumber(double value);

// `value` rounded to `decimals` places (0 to 9), thousands grouped:
// (1234567.891, 2) -> "1,234,567.89".
std::string GroupedNumber(double value, int decimals);

// A duration in µs below 1 ms, in ms below 1 s, else in s, its number
// as ReadableNumber: "84 µs", "1.25 ms", "-3.4 ms", "12.5 s".
std::string ReadableDuration(absl::Duration d);

// The unit ReadableDuration writes `d` in: its name ("µs", "ms" or "s")
// and its length, so that a column of durations can be written in the
// unit of its largest: ToDoubleMicroseconds(x) / ToDoubleMicroseconds(
// unit.length), then ReadableNumber.
struct DurationUnit {
  const char* name;
  absl::Duration length;
};
DurationUnit ReadableDurationUnit(absl::Duration d);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_NUMBER_TEXT_H_
