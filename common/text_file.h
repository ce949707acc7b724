// Reading a small text file whole (a /proc or /sys file, a certificate).
// Thread-safe.
#ifndef SCALEBENCH_COMMON_TEXT_FILE_H_
#define SCALEBENCH_COMMON_TEXT_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace scalebench {

// The contents of the file at `path`. NOT_FOUND "cannot open PATH: REASON"
// when it cannot be opened (missing, not permitted); UNAVAILABLE when a
// read fails part way.
absl::StatusOr<std::string> ReadTextFile(const std::string& path);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_TEXT_FILE_H_
