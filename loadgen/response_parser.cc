#include "loadgen/response_parser.h"

#include <cstring>

namespace scalebench::loadgen {
namespace {

// "HTTP/1.1 200" is the fixed-format part of a status line.
constexpr size_t kStatusPrefix = 12;
// Content-Length above this is treated as malformed (2^62 bytes).
constexpr uint64_t kMaxContentLength = uint64_t{1} << 62;
// Chunk sizes: at most 15 hex digits (< 2^60).
constexpr uint32_t kMaxChunkDigits = 15;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

// RFC 9110 token characters, for header names.
bool IsTokenChar(char c) {
  if (IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
    return true;
  }
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

// Steps `*p` over up to `*remaining` bytes of a body before `end`; true
// once none remain.
bool SkipBody(const char** p, const char* end, uint64_t* remaining) {
  const uint64_t available = static_cast<uint64_t>(end - *p);
  const uint64_t n = available < *remaining ? available : *remaining;
  *p += n;
  *remaining -= n;
  return *remaining == 0;
}

// At the end of a line: steps `*p` over a '\r' so that the '\n' comes
// next (a bare '\n' is accepted too). False if `**p` is neither.
bool StepToLineFeed(const char** p) {
  if (**p == '\r') {
    ++*p;
    return true;
  }
  return **p == '\n';
}

// Steps `*p` over the '\n' that ends a line; false if `**p` is not one.
bool TakeLineFeed(const char** p) {
  if (**p != '\n') return false;
  ++*p;
  return true;
}

bool Equals(const char* a, size_t len, const char* literal) {
  return std::strlen(literal) == len && std::memcmp(a, literal, len) == 0;
}

// Whether the comma-separated list in [begin, end) contains `token`
// (case-insensitively), and whether it is the last element.
void FindToken(const char* begin, const char* end, const char* token,
               bool* found, bool* last) {
  *found = false;
  *last = false;
  const size_t token_len = std::strlen(token);
  const char* p = begin;
  while (p < end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) ++p;
    const char* start = p;
    while (p < end && *p != ',') ++p;
    const char* stop = p;
    while (stop > start && (stop[-1] == ' ' || stop[-1] == '\t')) --stop;
    if (stop == start) continue;
    bool match = static_cast<size_t>(stop - start) == token_len;
    for (size_t i = 0; match && i < token_len; ++i) {
      match = Lower(start[i]) == token[i];
    }
    *last = match;
    if (match) *found = true;
  }
}

}  // namespace

const char* ParseErrorName(ParseError error) {
  switch (error) {
    case ParseError::kNone:
      return "no error";
    case ParseError::kStatusLine:
      return "malformed status line";
    case ParseError::kHeaderSyntax:
      return "malformed header";
    case ParseError::kHeadersTooLarge:
      return "headers too large";
    case ParseError::kContentLength:
      return "invalid Content-Length";
    case ParseError::kChunkSyntax:
      return "malformed chunked encoding";
    case ParseError::kUnsupported:
      return "unsupported response";
    case ParseError::kTruncated:
      return "connection closed before the response ended";
  }
  return "unknown";
}

void ResponseParser::Reset(bool head_request) {
  state_ = State::kStatusLine;
  error_ = ParseError::kNone;
  head_request_ = head_request;
  started_ = false;
  in_trailers_ = false;
  http10_ = false;
  keep_alive_ = false;
  connection_close_ = false;
  connection_keep_alive_ = false;
  chunked_ = false;
  has_transfer_encoding_ = false;
  has_content_length_ = false;
  header_ = Header::kOther;
  status_code_ = 0;
  header_count_ = 0;
  header_bytes_ = 0;
  line_bytes_ = 0;
  content_length_ = 0;
  remaining_ = 0;
  buf_len_ = 0;
}

ResponseParser::Result ResponseParser::Fail(ParseError error) {
  state_ = State::kError;
  error_ = error;
  keep_alive_ = false;
  return Result::kError;
}

bool ResponseParser::EndHeaderLine() {
  if (in_trailers_) return true;
  const char* value = buf_;
  const char* end = buf_ + buf_len_;
  while (end > value && (end[-1] == ' ' || end[-1] == '\t')) --end;
  switch (header_) {
    case Header::kContentLength: {
      if (value == end) return false;
      uint64_t n = 0;
      for (const char* p = value; p < end; ++p) {
        if (!IsDigit(*p)) return false;
        n = n * 10 + static_cast<uint64_t>(*p - '0');
        if (n > kMaxContentLength) return false;
      }
      if (has_content_length_ && n != content_length_) return false;
      has_content_length_ = true;
      content_length_ = n;
      return true;
    }
    case Header::kTransferEncoding: {
      bool found, last;
      FindToken(value, end, "chunked", &found, &last);
      // Only a final "chunked" frames the body; any other coding means the
      // body runs until the connection closes (RFC 9112, 6.3).
      chunked_ = last;
      has_transfer_encoding_ = true;
      if (!last) connection_close_ = true;
      return true;
    }
    case Header::kConnection: {
      bool found, last;
      FindToken(value, end, "close", &found, &last);
      if (found) connection_close_ = true;
      FindToken(value, end, "keep-alive", &found, &last);
      if (found) connection_keep_alive_ = true;
      return true;
    }
    case Header::kOther:
      return true;
  }
  return true;
}

ResponseParser::Result ResponseParser::EndHeaders() {
  if (in_trailers_) {
    state_ = State::kDone;
    return Result::kComplete;
  }
  if (status_code_ >= 100 && status_code_ < 200) {
    if (status_code_ == 101) return Fail(ParseError::kUnsupported);
    // An interim response: the final one follows on the same connection.
    // Its head counts toward the limits of what follows, so that an
    // endless series of them fails as headers too large.
    const bool head = head_request_;
    const size_t bytes = header_bytes_;
    const uint32_t count = header_count_ + 1;
    Reset(head);
    started_ = true;
    header_bytes_ = bytes;
    header_count_ = count;
    if (header_count_ > kMaxHeaderCount) {
      return Fail(ParseError::kHeadersTooLarge);
    }
    return Result::kNeedMore;
  }
  if (chunked_ && has_content_length_) {
    // Both framings at once is a classic smuggling vector; refuse it.
    return Fail(ParseError::kContentLength);
  }
  keep_alive_ = http10_ ? connection_keep_alive_ : !connection_close_;
  if (head_request_ || status_code_ == 204 || status_code_ == 304) {
    state_ = State::kDone;
    return Result::kComplete;
  }
  if (has_transfer_encoding_ && !chunked_) {
    // A coding other than a final chunked: the body runs until the close,
    // whatever Content-Length says (RFC 9112, 6.3).
    keep_alive_ = false;
    state_ = State::kBodyUntilClose;
    return Result::kNeedMore;
  }
  if (chunked_) {
    state_ = State::kChunkSize;
    remaining_ = 0;
    line_bytes_ = 0;
    buf_len_ = 0;
    return Result::kNeedMore;
  }
  if (has_content_length_) {
    if (content_length_ == 0) {
      state_ = State::kDone;
      return Result::kComplete;
    }
    remaining_ = content_length_;
    state_ = State::kBody;
    return Result::kNeedMore;
  }
  keep_alive_ = false;
  state_ = State::kBodyUntilClose;
  return Result::kNeedMore;
}

ResponseParser::Result ResponseParser::Feed(const char* data, size_t len,
                                            size_t* consumed) {
  const char* p = data;
  const char* const end = data + len;
  if (len > 0) started_ = true;

  while (p < end) {
    switch (state_) {
      case State::kStatusLine: {
        // Collect "HTTP/d.d ddd" and validate it in one go.
        while (p < end && buf_len_ < kStatusPrefix) buf_[buf_len_++] = *p++;
        if (buf_len_ < kStatusPrefix) break;
        const char* s = buf_;
        if (std::memcmp(s, "HTTP/", 5) != 0 || !IsDigit(s[5]) || s[6] != '.' ||
            !IsDigit(s[7]) || s[8] != ' ' || !IsDigit(s[9]) ||
            !IsDigit(s[10]) || !IsDigit(s[11])) {
          return Fail(ParseError::kStatusLine);
        }
        if (s[5] != '1') return Fail(ParseError::kStatusLine);
        http10_ = s[7] == '0';
        status_code_ = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
        if (status_code_ < 100) return Fail(ParseError::kStatusLine);
        // Added: bytes of interim responses before this one count too.
        header_bytes_ += kStatusPrefix;
        line_bytes_ = 0;
        state_ = State::kStatusRest;
        break;
      }
      case State::kStatusRest: {
        // " reason phrase" up to the line end; the first byte must be a
        // space or the line end.
        if (line_bytes_ == 0 && *p != ' ' && *p != '\r' && *p != '\n') {
          return Fail(ParseError::kStatusLine);
        }
        const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
        const char* stop = nl ? static_cast<const char*>(nl) : end;
        const size_t n = static_cast<size_t>(stop - p);
        line_bytes_ += n;
        header_bytes_ += n;
        if (header_bytes_ > kMaxHeaderBytes) {
          return Fail(ParseError::kHeadersTooLarge);
        }
        if (nl == nullptr) {
          p = end;
          break;
        }
        p = stop + 1;
        ++header_bytes_;
        state_ = State::kLineStart;
        break;
      }
      case State::kLineStart: {
        const char c = *p;
        if (c == '\r') {
          ++p;
          ++header_bytes_;
          state_ = State::kHeadersEndLf;
          break;
        }
        if (c == '\n') {
          ++p;
          ++header_bytes_;
          const Result r = EndHeaders();
          if (r != Result::kNeedMore) {
            *consumed = static_cast<size_t>(p - data);
            return r;
          }
          break;
        }
        if (c == ' ' || c == '\t') return Fail(ParseError::kUnsupported);
        if (++header_count_ > kMaxHeaderCount) {
          return Fail(ParseError::kHeadersTooLarge);
        }
        buf_len_ = 0;
        state_ = State::kName;
        break;
      }
      case State::kName: {
        while (p < end && *p != ':') {
          if (!IsTokenChar(*p)) return Fail(ParseError::kHeaderSyntax);
          if (buf_len_ < sizeof(buf_)) buf_[buf_len_] = Lower(*p);
          ++buf_len_;
          ++p;
          if (++header_bytes_ > kMaxHeaderBytes) {
            return Fail(ParseError::kHeadersTooLarge);
          }
        }
        if (p == end) break;
        ++p;  // ':'
        ++header_bytes_;
        if (buf_len_ == 0) return Fail(ParseError::kHeaderSyntax);
        header_ = Header::kOther;
        if (!in_trailers_ && buf_len_ <= sizeof(buf_)) {
          if (Equals(buf_, buf_len_, "content-length")) {
            header_ = Header::kContentLength;
          } else if (Equals(buf_, buf_len_, "transfer-encoding")) {
            header_ = Header::kTransferEncoding;
          } else if (Equals(buf_, buf_len_, "connection")) {
            header_ = Header::kConnection;
          }
        }
        buf_len_ = 0;
        state_ = State::kValueLeadingSpace;
        break;
      }
      case State::kValueLeadingSpace: {
        while (p < end && (*p == ' ' || *p == '\t')) {
          ++p;
          if (++header_bytes_ > kMaxHeaderBytes) {
            return Fail(ParseError::kHeadersTooLarge);
          }
        }
        if (p == end) break;
        state_ = header_ == Header::kOther ? State::kSkipValue : State::kValue;
        break;
      }
      case State::kValue: {
        while (p < end && *p != '\r' && *p != '\n') {
          if (buf_len_ == sizeof(buf_)) {
            // Values of the headers we interpret are short; a longer one
            // cannot be interpreted safely.
            return Fail(header_ == Header::kContentLength
                            ? ParseError::kContentLength
                            : ParseError::kHeaderSyntax);
          }
          buf_[buf_len_++] = *p++;
          ++header_bytes_;
        }
        if (header_bytes_ > kMaxHeaderBytes) {
          return Fail(ParseError::kHeadersTooLarge);
        }
        if (p == end) break;
        state_ = State::kLineCr;
        break;
      }
      case State::kSkipValue: {
        const char* q = p;
        while (q < end && *q != '\r' && *q != '\n') ++q;
        header_bytes_ += static_cast<size_t>(q - p);
        p = q;
        if (header_bytes_ > kMaxHeaderBytes) {
          return Fail(ParseError::kHeadersTooLarge);
        }
        if (p == end) break;
        state_ = State::kLineCr;
        break;
      }
      case State::kLineCr: {
        // At the '\r' or '\n' that ends a header line.
        const char* const line_end = p;
        StepToLineFeed(&p);
        header_bytes_ += static_cast<size_t>(p - line_end);
        state_ = State::kLineLf;
        break;
      }
      case State::kLineLf: {
        if (!TakeLineFeed(&p)) return Fail(ParseError::kHeaderSyntax);
        ++header_bytes_;
        if (!EndHeaderLine()) {
          return Fail(header_ == Header::kContentLength
                          ? ParseError::kContentLength
                          : ParseError::kHeaderSyntax);
        }
        state_ = State::kLineStart;
        break;
      }
      case State::kHeadersEndLf: {
        if (!TakeLineFeed(&p)) return Fail(ParseError::kHeaderSyntax);
        ++header_bytes_;
        const Result r = EndHeaders();
        if (r != Result::kNeedMore) {
          *consumed = static_cast<size_t>(p - data);
          return r;
        }
        break;
      }
      case State::kBody: {
        if (SkipBody(&p, end, &remaining_)) {
          state_ = State::kDone;
          *consumed = static_cast<size_t>(p - data);
          return Result::kComplete;
        }
        break;
      }
      case State::kBodyUntilClose:
        p = end;
        break;
      case State::kChunkSize: {
        while (p < end) {
          const int digit = HexValue(*p);
          if (digit < 0) break;
          if (++buf_len_ > kMaxChunkDigits) {
            return Fail(ParseError::kChunkSyntax);
          }
          remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
          ++p;
          ++line_bytes_;
        }
        if (p == end) break;
        if (buf_len_ == 0) return Fail(ParseError::kChunkSyntax);
        if (*p == ';' || *p == ' ' || *p == '\t') {
          state_ = State::kChunkExtension;
        } else if (StepToLineFeed(&p)) {
          state_ = State::kChunkSizeLf;
        } else {
          return Fail(ParseError::kChunkSyntax);
        }
        break;
      }
      case State::kChunkExtension: {
        while (p < end && *p != '\r' && *p != '\n') {
          ++p;
          if (++line_bytes_ > kMaxChunkLineBytes) {
            return Fail(ParseError::kChunkSyntax);
          }
        }
        if (p == end) break;
        StepToLineFeed(&p);  // At '\r' or '\n': true.
        state_ = State::kChunkSizeLf;
        break;
      }
      case State::kChunkSizeLf: {
        if (!TakeLineFeed(&p)) return Fail(ParseError::kChunkSyntax);
        buf_len_ = 0;
        line_bytes_ = 0;
        if (remaining_ == 0) {
          // The last chunk: trailer fields, then a blank line.
          in_trailers_ = true;
          header_bytes_ = 0;
          header_count_ = 0;
          state_ = State::kLineStart;
        } else {
          state_ = State::kChunkData;
        }
        break;
      }
      case State::kChunkData: {
        if (SkipBody(&p, end, &remaining_)) state_ = State::kChunkDataCr;
        break;
      }
      case State::kChunkDataCr: {
        if (!StepToLineFeed(&p)) return Fail(ParseError::kChunkSyntax);
        state_ = State::kChunkDataLf;
        break;
      }
      case State::kChunkDataLf: {
        if (!TakeLineFeed(&p)) return Fail(ParseError::kChunkSyntax);
        state_ = State::kChunkSize;
        break;
      }
      case State::kDone:
        *consumed = static_cast<size_t>(p - data);
        return Result::kComplete;
      case State::kError:
        return Result::kError;
    }
  }
  *consumed = len;
  if (state_ == State::kError) return Result::kError;
  return Result::kNeedMore;
}

ResponseParser::Result ResponseParser::FinishOnClose() {
  if (state_ == State::kBodyUntilClose) {
    state_ = State::kDone;
    return Result::kComplete;
  }
  if (state_ == State::kDone) return Result::kComplete;
  if (state_ == State::kError) return Result::kError;
  return Fail(ParseError::kTruncated);
}

}  // namespace scalebench::loadgen
