// Reading a small text file whole: a /proc or /sys file, a certificate, or
// input a user names (a spec), which must be a regular file of bounded
// size. Thread-safe.
#ifndef SCALEBENCH_COMMON_TEXT_FILE_H_
#define SCALEBENCH_COMMON_TEXT_FILE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"

namespace scalebench {

// The contents of the file at `path`. NOT_FOUND "cannot open PATH: REASON"
// when it cannot be opened (missing, not permitted); UNAVAILABLE when a
// read fails part way.
absl::StatusOr<std::string> ReadTextFile(const std::string& path);

// The contents of the regular file at `path`, of at most `max_bytes`
// bytes. Never blocks on a FIFO or a device: whatever is not a regular
// file is refused before any read. Errors name the path: NOT_FOUND
// "PATH: no such file"; INVALID_ARGUMENT "PATH: not a regular file (a
// FIFO)" (a directory, a device, a socket), "PATH: larger than N bytes",
// or "PATH: cannot read: REASON".
absl::StatusOr<std::string> ReadRegularFile(const std::string& path,
                                            size_t max_bytes);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_TEXT_FILE_H_
