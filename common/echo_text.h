// Bounds on text that messages echo back: a value quoted in an error, or a
// whole status message at the RPC edge, so that a huge input cannot make a
// huge message (or one too large for a gRPC trailer). Stateless;
// thread-safe.
#ifndef SCALEBENCH_COMMON_ECHO_TEXT_H_
#define SCALEBENCH_COMMON_ECHO_TEXT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace scalebench {

// The most bytes of a value that an error message quotes.
inline constexpr size_t kMaxEchoedValueBytes = 80;

// `text` itself when it has at most `max` bytes; otherwise its first bytes
// (at most `max`, cut before a partial UTF-8 character) followed by
// "... (N bytes)", N being the length of the whole.
std::string ClipText(absl::string_view text, size_t max);

// ClipText(text, max) with control characters written as QuoteValue
// writes them: for echoing a field's path, whose keys come from the input.
std::string OneLine(absl::string_view text, size_t max);

// `value` in single quotes for an error message, clipped to
// kMaxEchoedValueBytes, with control characters written as \n, \r, \t or
// \xNN so that the message stays on one line: "'kvm'", "'a\nb'",
// "'aaaa...' (1048576 bytes)".
std::string QuoteValue(absl::string_view value);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_ECHO_TEXT_H_
