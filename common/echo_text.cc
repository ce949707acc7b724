#include "common/echo_text.h"

#include "absl/strings/str_cat.h"

namespace scalebench {
namespace {

// Whether `c` continues a multi-byte UTF-8 character (10xxxxxx).
bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The longest prefix of `text` of at most `max` bytes that does not end
// inside a UTF-8 character.
absl::string_view Prefix(absl::string_view text, size_t max) {
  size_t end = max;
  while (end > 0 && end < text.size() && IsContinuationByte(text[end])) --end;
  return text.substr(0, end);
}

}  // namespace

std::string ClipText(absl::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  return absl::StrCat(Prefix(text, max), "... (", text.size(), " bytes)");
}

std::string QuoteValue(absl::string_view value) {
  if (value.size() <= kMaxEchoedValueBytes) {
    return absl::StrCat("'", value, "'");
  }
  return absl::StrCat("'", Prefix(value, kMaxEchoedValueBytes), "...' (",
                      value.size(), " bytes)");
}

}  // namespace scalebench
