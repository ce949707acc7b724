// How a library names the field an error is about, so that each front end
// can say it in its own terms: a library writes the field's own name
// ("start_tolerance"), a command line asks for its flag ("--start-tolerance"),
// the coordinator for its path in the spec ("loadgen.warmup"). Thread-safe.
#ifndef SCALEBENCH_COMMON_FIELD_NAMES_H_
#define SCALEBENCH_COMMON_FIELD_NAMES_H_

#include <functional>
#include <string>

#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"

namespace scalebench {

// Spells a field's name for a message.
using FieldNamer = std::function<std::string(absl::string_view field)>;

// The field's own name, unchanged: what libraries use by default.
inline std::string FieldAsIs(absl::string_view field) {
  return std::string(field);
}

// The conventional flag of a field: "start_tolerance" is
// "--start-tolerance".
inline std::string FieldAsFlag(absl::string_view field) {
  return "--" + absl::StrReplaceAll(field, {{"_", "-"}});
}

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_FIELD_NAMES_H_
