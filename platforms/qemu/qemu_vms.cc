#include "platforms/qemu/qemu_vms.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace scalebench::worker {
namespace {

// How long Stop() lets QEMU exit on SIGTERM before SIGKILL.
constexpr absl::Duration kStopGrace = absl::Seconds(5);
// The file in a VM's dir naming the driver that made it (as
// worker/owned_process.h does for native and balancer processes).
constexpr char kKindFile[] = "kind";
// A kind file holds one word.
constexpr size_t kMaxKindBytes = 256;
// Bounds of the /proc files read.
constexpr size_t kMaxProcFile = 4 << 20;

}  // namespace

QemuVms::QemuVms(const WorkerContext& context)
    : Instances(*context.clock), context_(context), env_(*context.env) {}

bool QemuVms::ValidIdChars(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return id != "." && id != "..";
}

std::string QemuVms::PidFile(const std::string& id) const {
  return absl::StrCat(context_.runtime(), "/run/", id, ".pid");
}

std::string QemuVms::Dir(const std::string& id) const {
  return absl::StrCat(context_.runtime(), "/targets/", id);
}

std::string QemuVms::KindFile(const std::string& id) const {
  return absl::StrCat(Dir(id), "/", kKindFile);
}

absl::StatusOr<std::optional<Termination>> QemuVms::Terminated(
    const std::string& id) {
  if (absl::Status s = CheckOwnId(id); !s.ok()) return s;
  os::ProcessStatus status = env_.ProcessStatusOf(PidFile(id));
  if (status.state == os::ProcessStatus::State::kRunning) return std::nullopt;
  return TerminationOf(status);
}

bool QemuVms::IsOurs(const std::string& id) const {
  absl::StatusOr<std::string> kind = env_.ReadFile(KindFile(id), kMaxKindBytes);
  if (!kind.ok() || absl::StripAsciiWhitespace(*kind) != kKind) return false;
  absl::StatusOr<pid_t> pid = env_.FindProcess(PidFile(id));
  if (!pid.ok()) return false;
  if (*pid == 0) return true;  // A stale pid file of a VM that is gone.
  // Alive: only if it is QEMU running this VM (a native nginx may have
  // reused the id since).
  absl::StatusOr<std::string> text =
      env_.ReadFile(absl::StrCat("/proc/", *pid, "/cmdline"), kMaxProcFile);
  if (!text.ok()) return false;
  const std::vector<std::string> cmdline =
      absl::StrSplit(*text, '\0', absl::SkipEmpty());
  for (size_t i = 0; i + 1 < cmdline.size(); ++i) {
    if (cmdline[i] == "-name" && cmdline[i + 1] == id) return true;
  }
  return false;
}

std::vector<std::string> QemuVms::OurIds() const {
  std::vector<std::string> ids;
  absl::StatusOr<std::vector<std::string>> names =
      env_.ListDir(absl::StrCat(context_.runtime(), "/run"));
  if (!names.ok()) return ids;
  const std::string prefix = context_.owner + "-";
  for (absl::string_view name : *names) {
    if (!absl::ConsumeSuffix(&name, ".pid") ||
        !absl::StartsWith(name, prefix) || !ValidIdChars(name)) {
      continue;
    }
    std::string id(name);
    if (IsOurs(id)) ids.push_back(std::move(id));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::Status QemuVms::CheckOwnId(const std::string& id) const {
  if (!ValidIdChars(id) || !absl::StartsWith(id, context_.owner + "-")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target id \"", id, "\" does not belong to ", context_.owner));
  }
  return absl::OkStatus();
}

absl::Status QemuVms::Stop(const std::string& id) {
  if (absl::Status s = CheckOwnId(id); !s.ok()) return s;
  if (!IsOurs(id)) return absl::OkStatus();
  if (absl::Status s = env_.StopProcess(PidFile(id), kStopGrace); !s.ok()) {
    return s;
  }
  return env_.RemoveFile(KindFile(id));
}

absl::Status QemuVms::Recover() {
  absl::Status result = absl::OkStatus();
  for (const std::string& id : OurIds()) {
    if (absl::Status s = Stop(id); !s.ok() && result.ok()) result = s;
  }
  return result;
}

absl::StatusOr<std::vector<std::string>> QemuVms::List() {
  std::vector<std::string> ids;
  for (const std::string& id : OurIds()) {
    absl::StatusOr<pid_t> pid = env_.FindProcess(PidFile(id));
    if (!pid.ok()) return pid.status();
    if (*pid != 0) ids.push_back(id);
  }
  return ids;
}

}  // namespace scalebench::worker
