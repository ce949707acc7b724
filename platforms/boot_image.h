// The form of a kernel image that QEMU or Xen boots (TargetSpec.image when
// it is not a built-in one), checked the same way for both. Stateless;
// thread-safe.
#ifndef SCALEBENCH_PLATFORMS_BOOT_IMAGE_H_
#define SCALEBENCH_PLATFORMS_BOOT_IMAGE_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "platforms/platform.h"

namespace scalebench::platforms {

struct BootImageForm {
  // Who boots it, for messages: "QEMU", "Xen".
  absl::string_view booter;
  // At most this many comma-separated parts: 2 for KERNEL,INITRD, 1 for a
  // disk.
  size_t max_parts = 2;
  // The form in words: "KERNEL or KERNEL,INITRD".
  std::string form;
  // Whether each part must be an absolute path of plain characters (xl
  // settings take nothing else).
  bool absolute_paths = false;
};

// A problem with `image` (non-empty, not built in) as a `form`; nullopt
// when it fits.
std::optional<FieldProblem> CheckBootImage(absl::string_view image,
                                           const BootImageForm& form);

}  // namespace scalebench::platforms

#endif  // SCALEBENCH_PLATFORMS_BOOT_IMAGE_H_
