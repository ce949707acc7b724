#include "api/enum_names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace scalebench::api {
namespace {

// The prefix every value of `type` shares: the value-0 name less its
// "UNSPECIFIED" ("PLATFORM_" for PLATFORM_UNSPECIFIED).
absl::string_view Prefix(const google::protobuf::EnumDescriptor& type) {
  const google::protobuf::EnumValueDescriptor* zero = type.FindValueByNumber(0);
  if (zero == nullptr) return "";
  absl::string_view name = zero->name();
  absl::ConsumeSuffix(&name, "UNSPECIFIED");
  return name;
}

std::string ShortName(const google::protobuf::EnumValueDescriptor& value) {
  absl::string_view name = value.name();
  absl::ConsumePrefix(&name, Prefix(*value.type()));
  return absl::AsciiStrToLower(name);
}

}  // namespace

std::string EnumName(const google::protobuf::EnumDescriptor& type, int value) {
  if (value == 0) return "";
  const google::protobuf::EnumValueDescriptor* v =
      type.FindValueByNumber(value);
  return v == nullptr ? "" : ShortName(*v);
}

std::vector<std::string> EnumNames(
    const google::protobuf::EnumDescriptor& type) {
  std::vector<std::string> names;
  for (int i = 0; i < type.value_count(); ++i) {
    if (type.value(i)->number() != 0)
      names.push_back(ShortName(*type.value(i)));
  }
  return names;
}

absl::StatusOr<int> ParseEnumName(const google::protobuf::EnumDescriptor& type,
                                  absl::string_view name) {
  for (int i = 0; i < type.value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* v = type.value(i);
    if (v->number() != 0 && ShortName(*v) == name) return v->number();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "'", name, "' is not one of ", absl::StrJoin(EnumNames(type), ", ")));
}

}  // namespace scalebench::api
