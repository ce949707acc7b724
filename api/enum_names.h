// The one spelling of every API enum outside protobuf: lower case, without
// the enum's prefix (PLATFORM_NATIVE is "native", MODEL_KIND_POLY is
// "poly", FAILURE_KIND_LATE_START is "late_start"). The spec YAML, the
// command lines, the text and the JSON output all use it, so a value is
// written the same way everywhere. Derived from the descriptors, so a new
// enum value needs no code here. Thread-safe.
#ifndef SCALEBENCH_API_ENUM_NAMES_H_
#define SCALEBENCH_API_ENUM_NAMES_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/generated_enum_reflection.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace scalebench::api {

// The short name of `value` in `type`: "native" for PLATFORM_NATIVE. "" for
// *_UNSPECIFIED and for a number `type` does not define.
std::string EnumName(const google::protobuf::EnumDescriptor& type, int value);

// The value named `name` (as EnumName spells it; case-sensitive) in `type`.
// INVALID_ARGUMENT listing the accepted names otherwise; *_UNSPECIFIED is
// never accepted.
absl::StatusOr<int> ParseEnumName(const google::protobuf::EnumDescriptor& type,
                                  absl::string_view name);

// The accepted names of `type`, in declaration order, without unspecified.
std::vector<std::string> EnumNames(
    const google::protobuf::EnumDescriptor& type);

// Typed forms: EnumName(v1::PLATFORM_DOCKER) == "docker";
// ParseEnumName<v1::Platform>("docker").
template <typename E>
std::string EnumName(E value) {
  return EnumName(*google::protobuf::GetEnumDescriptor<E>(),
                  static_cast<int>(value));
}
template <typename E>
absl::StatusOr<E> ParseEnumName(absl::string_view name) {
  absl::StatusOr<int> value =
      ParseEnumName(*google::protobuf::GetEnumDescriptor<E>(), name);
  if (!value.ok()) return value.status();
  return static_cast<E>(*value);
}
template <typename E>
std::vector<std::string> EnumNames() {
  return EnumNames(*google::protobuf::GetEnumDescriptor<E>());
}

}  // namespace scalebench::api

#endif  // SCALEBENCH_API_ENUM_NAMES_H_
