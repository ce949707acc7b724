#include "common/echo_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

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

// `text` with control characters written as \n, \r, \t or \xNN.
std::string EscapeControls(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += absl::StrFormat("\\x%02x", byte);
    }
  }
  return out;
}

}  // namespace

std::string ClipText(absl::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  return absl::StrCat(Prefix(text, max), "... (", text.size(), " bytes)");
}

std::string OneLine(absl::string_view text, size_t max) {
  if (text.size() <= max) return EscapeControls(text);
  return absl::StrCat(EscapeControls(Prefix(text, max)), "... (", text.size(),
                      " bytes)");
}

std::string QuoteValue(absl::string_view value) {
  if (value.size() <= kMaxEchoedValueBytes) {
    return absl::StrCat("'", EscapeControls(value), "'");
  }
  return absl::StrCat("'", EscapeControls(Prefix(value, kMaxEchoedValueBytes)),
                      "...' (", value.size(), " bytes)");
}

}  // namespace scalebench
