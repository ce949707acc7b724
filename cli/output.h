// Rendering shared by the remote commands: aligned text tables, API
// messages as JSON (protobuf's JSON mapping with the proto field names),
// and timestamps and durations for people. Stateless functions and a
// plain value type; thread-compatible.
#ifndef SCALEBENCH_CLI_OUTPUT_H_
#define SCALEBENCH_CLI_OUTPUT_H_

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace scalebench::cli {

// The columns a terminal gives `text`: its UTF-8 code points ("µs" is 2).
size_t DisplayWidth(absl::string_view text);

// The width, in columns, that tables and the lines under them keep to.
inline constexpr size_t kTextWidth = 100;

// `text` (lines ending in "\n") with each line longer than `width` columns
// broken at spaces into lines of at most `width`, the continuations
// indented by two spaces. A word longer than the width stays whole on a
// line of its own.
std::string WrapLines(absl::string_view text, size_t width = kTextWidth);

// Columns separated by two spaces, each as wide as its widest cell
// (DisplayWidth); the last column is not padded.
class TextTable final {
 public:
  explicit TextTable(std::vector<std::string> header)
      : rows_{std::move(header)} {}

  // A row with as many cells as the header (missing cells are empty).
  void AddRow(std::vector<std::string> cells) {
    rows_.push_back(std::move(cells));
  }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// `message` in protobuf's JSON mapping with proto field names
// (snake_case), indented, ending in a newline.
std::string ApiJson(const google::protobuf::Message& message);

// `message` as a JSON value in the project's one vocabulary: ApiJson's
// text, parsed, with every enum spelt as the spec and the tables spell it
// ("native", not "PLATFORM_NATIVE"; api/enum_names.h) and 64-bit integers
// as numbers, not strings. INVALID_ARGUMENT with protobuf's reason when the
// message has no JSON form (a Timestamp outside the years 1 to 9999, a
// Duration out of range: a stored result is not trusted to have one).
// Never throws.
absl::StatusOr<nlohmann::json> ApiJsonValue(
    const google::protobuf::Message& message);

// "2026-11-29T21:13:09Z", or "-" when unset.
std::string FormatTimestamp(const google::protobuf::Timestamp& time);
// "1h2m3s", "350ms", "-1.2ms", or "-" when unset (all zero).
std::string FormatDuration(const google::protobuf::Duration& duration);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_OUTPUT_H_
