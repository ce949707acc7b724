#include "coordinator/nightly/webhook_url.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/stable_hash.h"

namespace scalebench::coordinator {
namespace {

bool IsSchemeChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' ||
         c == '-' || c == '.';
}

}  // namespace

std::string RedactedWebhookUrl(absl::string_view url) {
  const std::string hash =
      absl::StrFormat("(url #%08x)", static_cast<uint32_t>(Fnv1a64(url) >> 32));
  const size_t separator = url.find("://");
  if (separator == absl::string_view::npos || separator == 0) return hash;
  const absl::string_view scheme = url.substr(0, separator);
  for (char c : scheme) {
    if (!IsSchemeChar(c)) return hash;
  }
  absl::string_view authority = url.substr(separator + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  // user:password@host: the user information is a secret too.
  if (const size_t at = authority.rfind('@'); at != absl::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  return absl::StrCat(absl::AsciiStrToLower(scheme), "://", authority, " ",
                      hash);
}

}  // namespace scalebench::coordinator
