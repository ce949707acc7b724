#include "common/flag_values.h"

#include <cmath>
#include <set>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/echo_text.h"

namespace scalebench {
namespace {

constexpr int kMaxCpu = 4095;

absl::Status Expected(absl::string_view text, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(QuoteValue(text), " is not ", what));
}

}  // namespace

absl::StatusOr<absl::Duration> ParseDurationText(absl::string_view text) {
  constexpr absl::string_view kWhat =
      "a duration such as 30s, 500ms or 2m (a bare number is seconds)";
  absl::Duration d;
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    if (!std::isfinite(seconds)) return Expected(text, kWhat);
    d = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(text, &d) || d == absl::InfiniteDuration()) {
    return Expected(text, kWhat);
  }
  if (d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(QuoteValue(text), " is negative; a duration is >= 0"));
  }
  if (d > kMaxDuration) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s is longer than the maximum of %s", QuoteValue(text),
                        absl::FormatDuration(kMaxDuration)));
  }
  return d;
}

absl::StatusOr<std::vector<int>> ParseCpuListText(absl::string_view text) {
  constexpr absl::string_view kWhat = "a list of cores such as 0,2-3";
  std::vector<int> cpus;
  std::set<int> seen;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    const std::vector<absl::string_view> range = absl::StrSplit(part, '-');
    int low = 0;
    int high = 0;
    const bool single = range.size() == 1 && absl::SimpleAtoi(range[0], &low);
    const bool pair = range.size() == 2 && absl::SimpleAtoi(range[0], &low) &&
                      absl::SimpleAtoi(range[1], &high);
    if (single) high = low;
    if (!(single || pair) || low < 0 || low > high || high > kMaxCpu) {
      return Expected(text, kWhat);
    }
    for (int c = low; c <= high; ++c) {
      if (!seen.insert(c).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(QuoteValue(text), " names core ", c, " twice"));
      }
      cpus.push_back(c);
    }
  }
  return cpus;
}

absl::StatusOr<absl::Time> ParseInstantText(absl::string_view text) {
  double unix_seconds = 0;
  if (absl::SimpleAtod(text, &unix_seconds) && std::isfinite(unix_seconds)) {
    return absl::UnixEpoch() + absl::Seconds(unix_seconds);
  }
  absl::Time t;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &error)) return t;
  return Expected(text,
                  "an RFC 3339 time (2026-11-29T12:00:00Z) or Unix seconds");
}

}  // namespace scalebench
