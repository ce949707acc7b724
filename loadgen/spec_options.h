// The load a v1.LoadSpec describes, as LoadOptions for one run: what the
// worker hands the load generator. Defaults are the spec's (connections
// 100, keep-alive on, timeout 10 s, GET /), applied here and nowhere else
// in the load generator. Pure; thread-safe.
#ifndef SCALEBENCH_LOADGEN_SPEC_OPTIONS_H_
#define SCALEBENCH_LOADGEN_SPEC_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "loadgen/options.h"
#include "scalebench/v1/spec.pb.h"

namespace scalebench::loadgen {

// LoadOptions for `load` sent to `endpoints` (host:port each; the spec's
// path is appended), on `cpus`. Errors: INVALID_ARGUMENT from
// ValidateOptions, naming LoadSpec fields.
absl::StatusOr<LoadOptions> LoadOptionsFromSpec(
    const v1::LoadSpec& load, const std::vector<std::string>& endpoints,
    const std::vector<int>& cpus);

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_SPEC_OPTIONS_H_
