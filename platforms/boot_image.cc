#include "platforms/boot_image.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/echo_text.h"

namespace scalebench::platforms {
namespace {

constexpr char kField[] = "target.image";

bool KernelPathChar(char c) {
  return absl::ascii_isalnum(c) || absl::StrContains("._-+/", c);
}

// An absolute path of KernelPathChar without a ".." step.
bool PlainAbsolutePath(absl::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  for (char c : path) {
    if (!KernelPathChar(c)) return false;
  }
  for (absl::string_view step : absl::StrSplit(path, '/')) {
    if (step == "..") return false;
  }
  return true;
}

}  // namespace

std::optional<FieldProblem> CheckBootImage(absl::string_view image,
                                           const BootImageForm& form) {
  const std::vector<absl::string_view> parts = absl::StrSplit(image, ',');
  if (parts.size() > form.max_parts) {
    return FieldProblem{
        kField, absl::StrCat(QuoteValue(image), " has ", parts.size() - 1,
                             " commas, but the image of a ", form.booter,
                             " target is ", form.form)};
  }
  for (absl::string_view part : parts) {
    if (part.empty()) {
      return FieldProblem{kField, absl::StrCat(QuoteValue(image), " is not ",
                                               form.form, ": a part is empty")};
    }
    if (form.absolute_paths && !PlainAbsolutePath(part)) {
      return FieldProblem{
          kField, absl::StrCat(QuoteValue(image), " is not ", form.form,
                               " for ", form.booter,
                               ": each an absolute path of letters, digits "
                               "and . _ - + / without '..'")};
    }
  }
  return std::nullopt;
}

}  // namespace scalebench::platforms
