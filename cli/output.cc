#include "cli/output.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/enum_names.h"
#include "common/proto_time.h"

namespace scalebench::cli {

size_t DisplayWidth(absl::string_view text) {
  // Every byte but a continuation byte (10xxxxxx) starts a code point.
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(),
      [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

void TextTable::Print(std::ostream& out) const {
  std::vector<size_t> widths;
  for (const std::vector<std::string>& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  for (const std::vector<std::string>& row : rows_) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      line += cell;
      if (i + 1 < widths.size()) {
        line += std::string(widths[i] - DisplayWidth(cell) + 2, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

// Protobuf's JSON mapping stays here, beside nlohmann (the project's JSON
// library), only because these print API messages: the proto3 JSON
// mapping (field names, Timestamp and Duration strings, int64 as strings)
// is what the API documents, and only protobuf implements it.
std::string ApiJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  // Only fails for messages with unresolvable Any fields; the API has none.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  if (json.empty() || json.back() != '\n') json += "\n";
  return json;
}

namespace {

void Respell(const google::protobuf::Descriptor& type, nlohmann::json& value);

// One value of `field` (an element, for a repeated field; a map's value).
void RespellValue(const google::protobuf::FieldDescriptor& field,
                  nlohmann::json& value) {
  using google::protobuf::FieldDescriptor;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM:
      if (value.is_string()) {
        const google::protobuf::EnumValueDescriptor* named =
            field.enum_type()->FindValueByName(value.get<std::string>());
        if (named == nullptr) return;
        const std::string name =
            api::EnumName(*field.enum_type(), named->number());
        if (!name.empty()) value = name;
      }
      return;
    case FieldDescriptor::CPPTYPE_INT64:
      if (value.is_string()) {
        int64_t n = 0;
        if (absl::SimpleAtoi(value.get<std::string>(), &n)) value = n;
      }
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      if (value.is_string()) {
        uint64_t n = 0;
        if (absl::SimpleAtoi(value.get<std::string>(), &n)) value = n;
      }
      return;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      // Timestamp, Duration and the other well-known types keep their
      // JSON strings.
      if (field.message_type()->file()->package() != "google.protobuf") {
        Respell(*field.message_type(), value);
      }
      return;
    default:
      return;
  }
}

// `value`, protobuf's JSON of a message of `type`, respelt in place.
void Respell(const google::protobuf::Descriptor& type, nlohmann::json& value) {
  if (!value.is_object()) return;
  for (int i = 0; i < type.field_count(); ++i) {
    const google::protobuf::FieldDescriptor& field = *type.field(i);
    auto it = value.find(field.name());
    if (it == value.end()) continue;
    if (field.is_map()) {
      if (!it->is_object()) continue;
      const google::protobuf::FieldDescriptor& mapped =
          *field.message_type()->map_value();
      for (auto& [key, element] : it->items()) RespellValue(mapped, element);
    } else if (field.is_repeated()) {
      if (!it->is_array()) continue;
      for (nlohmann::json& element : *it) RespellValue(field, element);
    } else {
      RespellValue(field, *it);
    }
  }
}

// The byte offset in `text` after its first `columns` code points
// (text.size() when it has fewer).
size_t OffsetOfColumn(absl::string_view text, size_t columns) {
  size_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (seen++ == columns) return i;
  }
  return text.size();
}

}  // namespace

absl::StatusOr<nlohmann::json> ApiJsonValue(
    const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  const auto printed =
      google::protobuf::util::MessageToJsonString(message, &text, options);
  if (!printed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        message.GetTypeName(), " has no JSON form: ", printed.ToString()));
  }
  // Without exceptions: a parse error is a value, checked here.
  nlohmann::json value =
      nlohmann::json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat(
        message.GetTypeName(), ": protobuf's JSON of it does not parse"));
  }
  Respell(*message.GetDescriptor(), value);
  return value;
}

std::string FormatTimestamp(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", TimeFromProto(time),
                          absl::UTCTimeZone());
}

std::string FormatDuration(const google::protobuf::Duration& duration) {
  if (duration.seconds() == 0 && duration.nanos() == 0) return "-";
  absl::Duration d = DurationFromProto(duration);
  // Whole seconds for long spans, three significant digits for short ones.
  if (absl::AbsDuration(d) >= absl::Seconds(10)) {
    d = absl::Trunc(d, absl::Seconds(1));
  } else if (absl::AbsDuration(d) >= absl::Milliseconds(10)) {
    d = absl::Trunc(d, absl::Milliseconds(1));
  } else {
    d = absl::Trunc(d, absl::Microseconds(1));
  }
  return absl::FormatDuration(d);
}

std::string WrapLines(absl::string_view text, size_t width) {
  constexpr absl::string_view kIndent = "  ";
  if (text.empty()) return "";
  std::string wrapped;
  for (absl::string_view rest : absl::StrSplit(text, '\n')) {
    absl::string_view indent;
    while (DisplayWidth(indent) + DisplayWidth(rest) > width) {
      const size_t room = width > indent.size() ? width - indent.size() : 1;
      // The first `room` columns and the character after them: a space
      // there is a break that fits.
      const absl::string_view head =
          rest.substr(0, OffsetOfColumn(rest, room) + 1);
      size_t cut = absl::string_view::npos;
      for (absl::string_view clause : {", ", "; ", ": "}) {
        const size_t at = head.rfind(clause);
        if (at != absl::string_view::npos && at + 1 >= head.size() / 2 &&
            (cut == absl::string_view::npos || at + 1 > cut)) {
          cut = at + 1;
        }
      }
      if (cut == absl::string_view::npos) cut = head.rfind(' ');
      // A word longer than the room stays whole.
      if (cut == absl::string_view::npos || cut == 0) cut = rest.find(' ');
      if (cut == absl::string_view::npos) break;
      absl::StrAppend(&wrapped, indent, rest.substr(0, cut), "\n");
      rest = absl::StripLeadingAsciiWhitespace(rest.substr(cut + 1));
      indent = kIndent;
    }
    absl::StrAppend(&wrapped, indent, rest, "\n");
  }
  // StrSplit gives an empty piece after a last "\n": one "\n" too many.
  if (text.back() == '\n') wrapped.pop_back();
  return wrapped;
}

}  // namespace scalebench::cli
