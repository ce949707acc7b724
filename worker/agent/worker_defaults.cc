#include "worker/agent/worker_defaults.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace scalebench::worker {

std::string DefaultStateDir() {
  if (geteuid() == 0) return "/var/lib/scalebench/worker";
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) {
    return absl::StrCat(state, "/scalebench/worker");
  }
  const char* home = std::getenv("HOME");
  return absl::StrCat(home ? home : ".", "/.local/state/scalebench/worker");
}

absl::Status PrepareStateDir(const std::string& dir) {
  for (const char* sub : {"", "/run", "/targets"}) {
    std::error_code error;
    std::filesystem::create_directories(dir + sub, error);
    if (error) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot create the state dir ", dir, sub, ": ", error.message()));
    }
  }
  return absl::OkStatus();
}

std::string DefaultWorkerName() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  std::string name;
  for (const char* c = host; *c && name.size() < 64; ++c) {
    const bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                    (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
                    *c == '-';
    name += ok ? *c : '-';
  }
  return name.empty() ? "worker" : name;
}

}  // namespace scalebench::worker
