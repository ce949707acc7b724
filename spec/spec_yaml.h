// Reads an experiment spec from YAML (docs/spec.md): the YAML maps field by
// field onto v1::ExperimentSpec, keys are the proto field names, enums are
// spelt as api/enum_names.h spells them and durations as
// common/flag_values.h reads them. Optional fields are set only when the
// YAML gives them. The result is validated (validate.h). Stateless;
// thread-safe.
#ifndef SCALEBENCH_SPEC_SPEC_YAML_H_
#define SCALEBENCH_SPEC_SPEC_YAML_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scalebench/v1/spec.pb.h"
#include "spec/limits.h"

namespace scalebench::spec {

// Parses and validates `yaml`. `source` names it in messages, usually the
// file name. INVALID_ARGUMENT otherwise, for the first problem found, as
// "SOURCE:LINE:COLUMN: PATH: MESSAGE" with a 1-based line and column and
// the field's path ("spec.yaml:7:13: sweep.platform[2]: 'kvm' is not one
// of native, docker, qemu, xen, unikernel"); a YAML syntax error is
// "SOURCE:LINE:COLUMN: invalid YAML: MESSAGE". Problems found by
// ValidateSpec point at the field when the YAML gives it, else at the
// nearest enclosing field it gives (or the start of the document). An
// unknown key, a duplicate key, a value of the wrong type and a field
// given with no value are errors; nothing falls back to a default.
absl::StatusOr<v1::ExperimentSpec> ParseSpecYaml(absl::string_view yaml,
                                                 absl::string_view source);

// Reads the file at `path` and parses it with ParseSpecYaml, `path` naming
// it in messages. NOT_FOUND when the file does not exist; INVALID_ARGUMENT
// when it cannot be read, is not a regular file (a FIFO is refused, not
// waited on), is larger than kMaxSpecFileBytes or is not a valid spec
// (common/text_file.h's ReadRegularFile).
absl::StatusOr<v1::ExperimentSpec> ParseSpecFile(const std::string& path);

}  // namespace scalebench::spec

#endif  // SCALEBENCH_SPEC_SPEC_YAML_H_
