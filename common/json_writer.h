// A streaming front to nlohmann::json (the project's one JSON library) for
// code that writes a document in order: machine-readable command output,
// webhook payloads. Keys keep the order they were written in; strings are
// escaped and doubles written (shortest round-trip form; an integral
// double as an integer) by nlohmann; invalid UTF-8 is replaced, never
// thrown. New code may build an nlohmann::ordered_json directly. Not
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
#include "nlohmann/json.hpp"

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

  // The document; complete once every Begin has its End.
  const std::string& str() const;

 private:
  // Puts `value` where the document is: the root, the next element of the
  // innermost array, or the value of the pending key.
  nlohmann::ordered_json& Put(nlohmann::ordered_json value);

  int indent_;
  nlohmann::ordered_json root_;
  // The open containers, innermost last.
  std::vector<nlohmann::ordered_json*> open_;
  std::string key_;
  mutable std::string text_;
};

// `value` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view value);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_JSON_WRITER_H_
