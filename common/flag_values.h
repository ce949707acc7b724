// Parsers for the values that command lines and spec files share, so that
// "30s" or "0,2-3" means the same to every binary and to the spec YAML.
// Each returns INVALID_ARGUMENT whose message quotes the text and gives an
// example of what is accepted; callers prefix the flag or field name.
// Stateless; thread-safe.
#ifndef SCALEBENCH_COMMON_FLAG_VALUES_H_
#define SCALEBENCH_COMMON_FLAG_VALUES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace scalebench {

// The longest duration accepted anywhere: a year. Deadlines are computed
// as int64 nanoseconds on the monotonic clock; a year keeps every sum of a
// few such durations far from overflow.
inline constexpr absl::Duration kMaxDuration = absl::Hours(24 * 366);

// "30s", "500ms", "2m", "1h30m", "250us", or a bare number of seconds
// ("10", "0.5"); >= 0 and at most kMaxDuration.
absl::StatusOr<absl::Duration> ParseDurationText(absl::string_view text);

// A list of cores: "0,2-3" is {0, 2, 3}. Ascending or not, as written;
// duplicates rejected; cores below 4096.
absl::StatusOr<std::vector<int>> ParseCpuListText(absl::string_view text);

// An instant: RFC 3339 ("2026-11-29T12:00:00.5Z") or Unix seconds
// ("1795000000.25").
absl::StatusOr<absl::Time> ParseInstantText(absl::string_view text);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_FLAG_VALUES_H_
