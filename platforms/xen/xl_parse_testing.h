// Test helper: reads an xl domain config with Xen's own parser
// (libxlutil, the library `xl create` uses) and returns the settings the
// xen driver writes, so tests check what xl would see, not what our
// generator meant. Thread-compatible.
#ifndef SCALEBENCH_PLATFORMS_XEN_XL_PARSE_TESTING_H_
#define SCALEBENCH_PLATFORMS_XEN_XL_PARSE_TESTING_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace scalebench::worker::testing {

struct ParsedXlConfig {
  // Every string setting the driver may write ("name", "type", "kernel",
  // "ramdisk", "extra", "tsc_mode", "on_crash", ...) that is present.
  std::map<std::string, std::string> strings;
  // Every number setting ("vcpus", "memory", "vnc", ...) that is present.
  std::map<std::string, long> numbers;
  // List settings ("cpus", "vif", "disk") that are present.
  std::map<std::string, std::vector<std::string>> lists;
  // The disk's target path and virtual device, as xlu_disk_parse() reads
  // the first "disk" entry; empty without one.
  std::string disk_target;
  std::string disk_vdev;
};

// INVALID_ARGUMENT with libxlutil's report when it does not parse the
// text (or its disk spec).
absl::StatusOr<ParsedXlConfig> ParseWithLibxlutil(absl::string_view text);

}  // namespace scalebench::worker::testing

#endif  // SCALEBENCH_PLATFORMS_XEN_XL_PARSE_TESTING_H_
