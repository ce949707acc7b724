// A small streaming JSON writer for machine-readable command output.
// Produces compact or indented JSON; keys and strings are escaped per
// RFC 8259, doubles are written in their shortest round-trip form. Not
// thread-safe.
//
//   JsonWriter w;
//   w.BeginObject();
//   w.Key("requests").Uint(1000);
//   w.Key("latency_us").BeginObject().Key("p50").Double(41.5).EndObject();
//   w.EndObject();
//   std::string text = w.str();
#ifndef SCALEBENCH_COMMON_JSON_WRITER_H_
#define SCALEBENCH_COMMON_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace scalebench {

class JsonWriter {
 public:
  // `indent` spaces per level; 0 writes everything on one line.
  explicit JsonWriter(int indent = 2) : indent_(indent) {}

  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Inside an object: the next value's key.
  JsonWriter& Key(absl::string_view key);
  JsonWriter& String(absl::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  // Non-finite values (NaN, infinities) are not representable in JSON and
  // are written as null; callers that must never emit them check first.
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  // The text so far; complete once every Begin has its End.
  const std::string& str() const { return out_; }

 private:
  // Writes the separator and indentation that precede a value or key.
  void BeforeValue();
  void Newline();
  // Pops the innermost level and writes its closing bracket.
  void Close(char bracket);

  struct Level {
    bool is_object;
    bool empty = true;
  };

  int indent_;
  std::string out_;
  std::vector<Level> stack_;
  bool after_key_ = false;
};

// `value` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view value);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_JSON_WRITER_H_
