// An incremental HTTP/1.1 response parser for the load generator. It frames
// one response at a time (Content-Length, chunked, or until the connection
// closes), extracts only what the load generator needs (status, whether
// the connection may be reused), and skips bodies without storing them, so
// its memory is a few dozen bytes however large or hostile the response.
// Input may be split at any byte. Not thread-safe; one per connection.
#ifndef SCALEBENCH_LOADGEN_RESPONSE_PARSER_H_
#define SCALEBENCH_LOADGEN_RESPONSE_PARSER_H_

#include <cstddef>
#include <cstdint>

namespace scalebench::loadgen {

// Why a response could not be parsed.
enum class ParseError : uint8_t {
  kNone = 0,
  kStatusLine,       // Not "HTTP/d.d ddd ...".
  kHeaderSyntax,     // A malformed header line.
  kHeadersTooLarge,  // Status line and headers exceed the size limits.
  kContentLength,    // Unparseable or conflicting Content-Length.
  kChunkSyntax,      // A malformed chunk-size line or chunk terminator.
  kUnsupported,      // 101 Switching Protocols, or obsolete line folding.
  kTruncated,        // The connection closed in the middle of a response.
};

// A short description of `error`, e.g. "malformed status line".
const char* ParseErrorName(ParseError error);

class ResponseParser {
 public:
  // Status line plus headers (or trailers) may not exceed this many bytes
  // and lines. Interim (1xx) responses count toward the limits of the
  // response that follows them, each as one line more than it has, so an
  // endless series of them is bounded like one oversized head.
  static constexpr size_t kMaxHeaderBytes = 64 * 1024;
  static constexpr size_t kMaxHeaderCount = 256;
  // A chunk-size line, extensions included.
  static constexpr size_t kMaxChunkLineBytes = 4096;

  enum class Result { kNeedMore, kComplete, kError };

  ResponseParser() { Reset(/*head_request=*/false); }

  // Prepares for the next response. `head_request` = the request was HEAD,
  // so the response has no body whatever its headers say.
  void Reset(bool head_request);

  // Consumes bytes of the response from `data`. Returns kComplete when the
  // response ends, with `*consumed` set to the bytes that belonged to it
  // (any after it are not part of this response); kNeedMore when all of
  // `data` was consumed and more is needed; kError on malformed input.
  Result Feed(const char* data, size_t len, size_t* consumed);

  // The peer closed the connection. Returns kComplete when that ends the
  // response (a body delimited by the close), otherwise kError with
  // kTruncated.
  Result FinishOnClose();

  // True once any byte of this response has been consumed.
  bool started() const { return started_; }
  // The final (non-1xx) status code, once the status line is parsed.
  int status_code() const { return status_code_; }
  // Whether the connection may carry another request after this response:
  // HTTP/1.1 without "Connection: close", or HTTP/1.0 with keep-alive, and
  // a body not delimited by the close.
  bool keep_alive() const { return keep_alive_; }
  ParseError error() const { return error_; }

 private:
  enum class State : uint8_t {
    kStatusLine,
    kStatusRest,
    kLineStart,
    kName,
    kValueLeadingSpace,
    kValue,
    kSkipValue,
    kLineCr,
    kLineLf,
    kHeadersEndLf,
    kBody,
    kBodyUntilClose,
    kChunkSize,
    kChunkExtension,
    kChunkSizeLf,
    kChunkData,
    kChunkDataCr,
    kChunkDataLf,
    kDone,
    kError,
  };
  enum class Header : uint8_t {
    kOther,
    kContentLength,
    kTransferEncoding,
    kConnection,
  };

  Result Fail(ParseError error);
  // Applies a finished header line; false on an invalid value.
  bool EndHeaderLine();
  // Decides the body framing once the blank line after the headers is
  // seen. Returns kComplete, kNeedMore (a body follows), or kError.
  Result EndHeaders();

  State state_;
  ParseError error_;
  bool head_request_;
  bool started_;
  bool in_trailers_;
  bool http10_;
  bool keep_alive_;
  bool connection_close_;
  bool connection_keep_alive_;
  bool chunked_;
  bool has_transfer_encoding_;
  bool has_content_length_;
  Header header_;
  int status_code_;
  uint32_t header_count_;
  size_t header_bytes_;
  size_t line_bytes_;
  uint64_t content_length_;
  uint64_t remaining_;
  // The start of the status line, or the lowercased header name, or the
  // value of a header of interest.
  uint32_t buf_len_;
  char buf_[64];
};

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_RESPONSE_PARSER_H_
