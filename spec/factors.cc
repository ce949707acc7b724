#include "spec/factors.h"

#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/enum_names.h"
#include "common/echo_text.h"
#include "common/flag_values.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::spec {

std::vector<std::string> FactorNames() {
  const google::protobuf::Descriptor& sweep = *v1::SweepSpec::descriptor();
  std::vector<std::string> names;
  for (int i = 0; i < sweep.field_count(); ++i) {
    names.push_back(std::string(sweep.field(i)->name()));
  }
  return names;
}

bool IsFactor(absl::string_view name) {
  return v1::SweepSpec::descriptor()->FindFieldByName(std::string(name)) !=
         nullptr;
}

absl::Status CheckFactorLevel(absl::string_view name, absl::string_view text) {
  const google::protobuf::FieldDescriptor* field =
      v1::SweepSpec::descriptor()->FindFieldByName(std::string(name));
  if (field == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(QuoteValue(name), " is not a factor; the factors are ",
                     absl::StrJoin(FactorNames(), ", ")));
  }
  switch (field->cpp_type()) {
    case google::protobuf::FieldDescriptor::CPPTYPE_ENUM:
      if (api::ParseEnumName(*field->enum_type(), text).ok()) {
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError(absl::StrCat(
          QuoteValue(text), " is not one of ",
          absl::StrJoin(api::EnumNames(*field->enum_type()), ", ")));
    case google::protobuf::FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t value = 0;
      if (!absl::SimpleAtoi(text, &value)) {
        return absl::InvalidArgumentError(
            absl::StrCat(QuoteValue(text), " is not a whole number"));
      }
      return absl::OkStatus();
    }
    case google::protobuf::FieldDescriptor::CPPTYPE_BOOL:
      if (text == "true" || text == "false") return absl::OkStatus();
      return absl::InvalidArgumentError(
          absl::StrCat(QuoteValue(text), " is not true or false"));
    case google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE:
      // google.protobuf.Duration, the only message factor.
      return ParseDurationText(text).status();
    default:
      break;
  }
  return absl::InternalError(
      absl::StrCat("factor '", name, "' has a type this build cannot read"));
}

}  // namespace scalebench::spec
