// Validation of an experiment spec: everything spec.proto's comments
// require, checked before anything runs, the same for a spec parsed from
// YAML (spec_yaml.h) and one received as protobuf. Problems name the field
// by its path in the YAML spelling of docs/spec.md ("loadgen.duration",
// "sweep.platform[2]", "models[1].degree", "repetitions.until.max").
// Every size is bounded (limits.h), and checking takes time linear in the
// spec's size (n log n for the grid), expanding nothing; values echoed in
// messages are clipped (common/echo_text.h). Stateless; thread-safe.
#ifndef SCALEBENCH_SPEC_VALIDATE_H_
#define SCALEBENCH_SPEC_VALIDATE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "scalebench/v1/spec.pb.h"
#include "spec/limits.h"

namespace scalebench::spec {

// One problem of a spec: the field's path and what is wrong with it.
struct SpecProblem {
  std::string path;
  std::string message;
};

// The first problem of `spec`, checking fields in the order docs/spec.md
// lists them; nullopt when the spec is valid. For callers that add a
// location to the path (the YAML parser); others use ValidateSpec.
std::optional<SpecProblem> FindSpecProblem(const v1::ExperimentSpec& spec);

// OK when `spec` is valid; otherwise INVALID_ARGUMENT "PATH: MESSAGE" for
// the first problem (FindSpecProblem), or just "MESSAGE" for a problem of
// the whole spec (its size), whose path is empty.
absl::Status ValidateSpec(const v1::ExperimentSpec& spec);

}  // namespace scalebench::spec

#endif  // SCALEBENCH_SPEC_VALIDATE_H_
