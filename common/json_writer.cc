#include "common/json_writer.h"

#include <cmath>
#include <utility>

namespace scalebench {
namespace {

using Json = nlohmann::ordered_json;

// Doubles with an exact integer value below 2^53 are written as integers
// ("2", not "2.0"): what the writer always wrote.
constexpr double kExactIntegers = 9007199254740992.0;

std::string Dump(const Json& value, int indent) {
  return value.dump(indent == 0 ? -1 : indent, ' ', /*ensure_ascii=*/false,
                    Json::error_handler_t::replace);
}

}  // namespace

std::string JsonQuote(absl::string_view value) {
  return Dump(Json(std::string(value)), 0);
}

Json& JsonWriter::Put(Json value) {
  if (open_.empty()) {
    root_ = std::move(value);
    return root_;
  }
  Json& container = *open_.back();
  if (container.is_array()) {
    container.push_back(std::move(value));
    return container.back();
  }
  Json& slot = container[key_];
  slot = std::move(value);
  return slot;
}

JsonWriter& JsonWriter::BeginObject() {
  open_.push_back(&Put(Json::object()));
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  open_.push_back(&Put(Json::array()));
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  open_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  open_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::Key(absl::string_view key) {
  key_ = std::string(key);
  return *this;
}

JsonWriter& JsonWriter::String(absl::string_view value) {
  Put(std::string(value));
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  Put(value);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t value) {
  Put(value);
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  if (!std::isfinite(value)) return Null();
  if (std::trunc(value) == value && std::fabs(value) < kExactIntegers) {
    Put(static_cast<int64_t>(value));
  } else {
    Put(value);
  }
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  Put(value);
  return *this;
}

JsonWriter& JsonWriter::Null() {
  Put(nullptr);
  return *this;
}

const std::string& JsonWriter::str() const {
  text_ = Dump(root_, indent_);
  return text_;
}

}  // namespace scalebench
