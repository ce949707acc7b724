// Reading a small text file whole: a /proc or /sys file, a certificate, or
// input a user names (a spec), which must be a regular file of bounded
// size. Thread-safe.
#ifndef SCALEBENCH_COMMON_TEXT_FILE_H_
#define SCALEBENCH_COMMON_TEXT_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace scalebench {

// The contents of the file at `path`. NOT_FOUND "cannot open PATH: REASON"
// when it cannot be opened (missing, not permitted); UNAVAILABLE when a
// read fails part way.
absl::StatusOr<std::string> ReadTextFile(const std::string& path);

// A regular file open for reading: its descriptor and its size when
// opened. The descriptor is closed when the object goes. Move-only.
class RegularFile final {
 public:
  // Opens `path` for reading without ever blocking on a FIFO or a device,
  // and refuses whatever is not a regular file before any read (the check
  // is on the descriptor, so nothing can swap the file in between).
  // Errors name the path: NOT_FOUND "PATH: no such file"; INVALID_ARGUMENT
  // "PATH: not a regular file (a directory)" (a FIFO, a character
  // device, ...), or "PATH: cannot read: REASON".
  static absl::StatusOr<RegularFile> Open(const std::string& path);

  RegularFile(RegularFile&& other) noexcept;
  RegularFile& operator=(RegularFile&& other) = delete;
  RegularFile(const RegularFile&) = delete;
  RegularFile& operator=(const RegularFile&) = delete;
  ~RegularFile();

  int fd() const { return fd_; }
  uint64_t size() const { return size_; }

 private:
  RegularFile(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  uint64_t size_;
};

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
